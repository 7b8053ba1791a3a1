// The supervisor console's pure logic (web/js/console/ConsoleLogic.js). Run: node --test web/test/*.test.mjs
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  agentRows, agentsCSV, formatDuration, interactionTimes, interactionsCSV, searchInteractions, sortRows, toCSV,
} from '../js/console/ConsoleLogic.js';

const NOW = Date.parse('2026-11-23T09:10:00Z');
const live = [
  { contact: 'c1', agent: 'PJSIP/1001', queue: 'sales', channel: 'voice', phase: 'held', customer: '+1 555-0100',
    segment: 'vip', queued_at: '2026-11-23T09:00:00Z', answered_at: '2026-11-23T09:00:30Z', hold_ms: 20000,
    held_since: '2026-11-23T09:09:00Z' },
  { contact: 'c2', agent: null, queue: 'support', channel: 'chat', phase: 'waiting', customer: '=HYPERLINK("x")',
    queued_at: '2026-11-23T09:08:00Z', hold_ms: 0 },
];

test('times: wait until answered, handle since answered, hold finished plus running', () => {
  assert.deepEqual(interactionTimes(live[0], NOW), { waitMs: 30000, handleMs: 570000, holdMs: 80000 });
  assert.deepEqual(interactionTimes(live[1], NOW), { waitMs: 120000, handleMs: null, holdMs: 0 });
  assert.equal(formatDuration(570000), '9:30');
  assert.equal(formatDuration(3723000), '1:02:03');
  assert.equal(formatDuration(null), '');
});

test('search by agent, queue, customer number (spaces and dashes ignored) and channel; every word must match', () => {
  assert.deepEqual(searchInteractions(live, '5550100').map((e) => e.contact), ['c1']);
  assert.deepEqual(searchInteractions(live, '555 0100').map((e) => e.contact), ['c1']);
  assert.deepEqual(searchInteractions(live, 'pjsip/1001').map((e) => e.contact), ['c1']);
  assert.deepEqual(searchInteractions(live, 'chat').map((e) => e.contact), ['c2']);
  assert.deepEqual(searchInteractions(live, 'sales chat').map((e) => e.contact), []);
  assert.equal(searchInteractions(live, '  ').length, 2);
});

test('CSV quotes what needs it and defuses spreadsheet formulas', () => {
  assert.equal(toCSV(['a', 'b'], [['x,y', 'say "hi"'], ['=1+2', -3], ['+1 555', null]]),
    'a,b\r\n"x,y","say ""hi"""\r\n\'=1+2,-3\r\n\'+1 555,\r\n');
  const csv = interactionsCSV(live, NOW).split('\r\n');
  assert.equal(csv[0], 'contact,agent,team,queue,channel,phase,customer,segment,language,reason,queued_at,answered_at,wait_seconds,handle_seconds,hold_seconds');
  assert.equal(csv[1], 'c1,PJSIP/1001,,sales,voice,held,\'+1 555-0100,vip,,,2026-11-23T09:00:00Z,2026-11-23T09:00:30Z,30,570,80');
  assert.equal(csv[2], 'c2,,,support,chat,waiting,"\'=HYPERLINK(""x"")",,,,2026-11-23T09:08:00Z,,120,,0');
});

test('agent rows: figures of the chosen period, sorted with nulls last, exported', () => {
  const answer = { windows: ['15m'], agents: [
    { id: 'a1', name: 'Ann', state: 'available', periods: { today: { handled: 3, aht_seconds: 200, occupancy: 0.5,
      not_ready_seconds: 90, not_ready_by_reason: { Lunch: 90 } }, '15m': { handled: 1 } } },
    { id: 'a2', name: 'Bob', state: 'not_ready', periods: { today: { handled: 5, aht_seconds: null } } },
  ] };
  const rows = agentRows(answer, 'today');
  assert.deepEqual(sortRows(rows, 'handled', true).map((r) => r.id), ['a2', 'a1']);
  assert.deepEqual(sortRows(rows, 'aht_seconds', false).map((r) => r.id), ['a1', 'a2']);
  assert.deepEqual(sortRows(rows, 'aht_seconds', true).map((r) => r.id), ['a1', 'a2']);
  assert.equal(agentRows(answer, '15m')[0].handled, 1);
  const csv = agentsCSV(rows, 'today').split('\r\n');
  assert.equal(csv[0], 'period,agent,name,team,state,state_seconds,handled,aht_seconds,talk_seconds,hold_seconds,wrap_up_seconds,occupancy,utilization,not_ready_seconds,ring_no_answer,transfers,not_ready_by_reason');
  assert.equal(csv[1], 'today,a1,Ann,,available,,3,200,0,0,0,0.5000,,90,0,0,Lunch=90');
});
