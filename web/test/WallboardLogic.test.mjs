// Pure logic checks against hand-computed values. Run: node --test web/test/*.test.mjs
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  addClockSample,
  boardNow,
  clockOffsetMs,
  elapsedSeconds,
  filterAgents,
  formatClock,
  formatCount,
  formatDuration,
  textLengthStep,
  formatPercent,
  formatServiceLevel,
  linkHealth,
  longestWaitSeconds,
  parseBoardOptions,
  partialDayNotice,
  reconnectDelayMs,
  selectQueues,
  serviceLevelClass,
  serviceLevelCue,
  sortAgents,
  waitClass,
  windowLabel,
} from '../js/WallboardLogic.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/snapshot.json', import.meta.url), 'utf8'));
const GEN = Date.parse('2026-11-23T15:30:00.123Z');
const queue = (id) => fixture.queues.find((q) => q.id === id);

test("service level colour follows the server's warning level when it sends one", () => {
  assert.equal(serviceLevelClass(0.76, 0.8, 0.75), 'amber');
  assert.equal(serviceLevelClass(0.7499, 0.8, 0.75), 'red');
  assert.equal(serviceLevelClass(0.6, 0.8, 0.5), 'amber'); // a wider amber band than the default
  assert.equal(serviceLevelClass(0.8, 0.8, 0.75), 'green');
});

test('service level colour: green at or above target, amber within 10 points, red below, none when unknown', () => {
  assert.equal(serviceLevelClass(0.8, 0.8), 'green');
  assert.equal(serviceLevelClass(1, 0.8), 'green');
  assert.equal(serviceLevelClass(0.7999, 0.8), 'amber');
  assert.equal(serviceLevelClass(0.7895, 0.8), 'amber');
  assert.equal(serviceLevelClass(0.7, 0.8), 'amber'); // 0.8 - 0.1 is 0.7000000000000001 in floats
  assert.equal(serviceLevelClass(0.6999, 0.8), 'red');
  assert.equal(serviceLevelClass(0.5926, 0.8), 'red');
  assert.equal(serviceLevelClass(0.9444, 0.9), 'green');
  assert.equal(serviceLevelClass(0.8999, 0.9), 'amber');
  assert.equal(serviceLevelClass(null, 0.8), 'none');
  assert.equal(serviceLevelClass(undefined, 0.8), 'none');
  assert.equal(serviceLevelClass(0.5, null), 'none');
});

test('service level cue gives a text and icon, not colour alone', () => {
  assert.deepEqual(serviceLevelCue(0.8, 0.8), { icon: '▲', text: 'on target' });
  assert.deepEqual(serviceLevelCue(0.7999, 0.8), { icon: '▼', text: 'below target' });
  assert.deepEqual(serviceLevelCue(0.5, 0.8), { icon: '▼▼', text: 'below target' });
  assert.deepEqual(serviceLevelCue(null, 0.8), { icon: '', text: 'no contacts in window' });
});

test('service level is truncated so 79.99% never reads as the 80% target', () => {
  assert.equal(formatServiceLevel(0.7999), '79%');
  assert.equal(formatServiceLevel(0.7895), '78%');
  assert.equal(formatServiceLevel(0.57), '57%'); // 0.57 * 100 is 56.99999999999999
  assert.equal(formatServiceLevel(1), '100%');
  assert.equal(formatServiceLevel(0), '0%');
  assert.equal(formatServiceLevel(null), '—');
});

test('rates are rounded whole percents, null is a dash', () => {
  assert.equal(formatPercent(0.0526), '5%');
  assert.equal(formatPercent(0.1852), '19%');
  assert.equal(formatPercent(0.0843), '8%');
  assert.equal(formatPercent(0), '0%');
  assert.equal(formatPercent(null), '—');
  assert.equal(formatPercent(undefined), '—');
});

test('durations are mm:ss, h:mm:ss from an hour, truncated, never negative', () => {
  assert.equal(formatDuration(42.5), '00:42');
  assert.equal(formatDuration(0), '00:00');
  assert.equal(formatDuration(59.999), '00:59');
  assert.equal(formatDuration(60), '01:00');
  assert.equal(formatDuration(274.5), '04:34');
  assert.equal(formatDuration(3599), '59:59');
  assert.equal(formatDuration(3600), '1:00:00');
  assert.equal(formatDuration(3723), '1:02:03');
  assert.equal(formatDuration(13 * 3600 + 25 * 60 + 10.9), '13:25:10');
  assert.equal(formatDuration(86399), '23:59:59');
  assert.equal(formatDuration(86400), '1 d 00:00');
  assert.equal(formatDuration(86400 + 2 * 3600 + 3 * 60 + 59), '1 d 02:03');
  assert.equal(formatDuration(12 * 86400 + 23 * 3600 + 59 * 60), '12 d 23:59');
  assert.equal(formatDuration(-3), '00:00');
  assert.equal(formatDuration(null), '—');
  assert.equal(formatDuration(Number.NaN), '—');
});

test('counts, clock and window labels', () => {
  assert.equal(formatCount(0), '0');
  assert.equal(formatCount(1234), '1,234');
  assert.equal(formatCount(null), '—');
  assert.equal(formatClock(new Date(2026, 10, 23, 9, 5, 7).getTime()), '09:05:07');
  assert.equal(formatClock(null), '—');
  assert.equal(windowLabel('15m'), 'last 15 min');
  assert.equal(windowLabel('60m'), 'last 60 min');
  assert.equal(windowLabel('1h'), 'last 1 h');
  assert.equal(windowLabel('interval'), 'this interval');
  assert.equal(windowLabel('today'), 'today');
  assert.equal(windowLabel('shift'), 'shift');
});

test('clock offset is the smallest recent local-minus-server sample', () => {
  assert.equal(clockOffsetMs([]), 0);
  assert.equal(clockOffsetMs([5000, 1200, 3000]), 1200);
  let samples = [];
  for (let i = 0; i < 15; i += 1) samples = addClockSample(samples, 1000, 1000 + i, 12);
  assert.deepEqual(samples, [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  assert.deepEqual(addClockSample([7], null, 5), [7]);
});

test('ticking stops at the last message while the link is not live', () => {
  assert.equal(boardNow(100000, { state: 'live', lastMessageAt: 90000 }), 100000);
  assert.equal(boardNow(100000, { state: 'stale', lastMessageAt: 84000 }), 84000);
  assert.equal(boardNow(100000, { state: 'down', lastMessageAt: 84000 }), 84000);
  assert.equal(boardNow(100000, { state: 'connecting', lastMessageAt: null }), 100000);
  assert.equal(boardNow(100000, null), 100000);
});

test('longest wait ticks from oldest_queued_at in server time', () => {
  // 15:30:00.123 - 15:29:17.623 = 42.5 s at generated_at; 3 s later it is 45.5 s.
  assert.equal(longestWaitSeconds(queue('sales'), fixture.generated_at, GEN), 42.5);
  assert.equal(longestWaitSeconds(queue('sales'), fixture.generated_at, GEN + 3000), 45.5);
  // Nobody waiting: the server's value as is, never ticking.
  assert.equal(longestWaitSeconds(queue('chat'), fixture.generated_at, GEN + 60000), 0);
  assert.equal(longestWaitSeconds({ waiting_now: 0, longest_wait_seconds: null }, fixture.generated_at, GEN), null);
  // No oldest_queued_at: age longest_wait_seconds from generated_at (10 s + 5 s).
  const q = { waiting_now: 1, longest_wait_seconds: 10, oldest_queued_at: null };
  assert.equal(longestWaitSeconds(q, fixture.generated_at, GEN + 5000), 15);
  // A board clock behind the queue time never shows a negative wait.
  assert.equal(longestWaitSeconds(queue('sales'), fixture.generated_at, GEN - 60000), 0);
});

test('local receive time plus generated_at gives the live wait on a board whose clock is 7 s fast', () => {
  const receivedAt = GEN + 7000 + 40; // local clock 7 s ahead, 40 ms transit
  const offset = clockOffsetMs(addClockSample([], GEN, receivedAt));
  assert.equal(offset, 7040);
  const serverNow = boardNow(receivedAt + 2000, { state: 'live' }) - offset;
  assert.equal(serverNow, GEN + 2000);
  assert.equal(formatDuration(longestWaitSeconds(queue('sales'), fixture.generated_at, serverNow)), '00:44');
});

test('elapsed time in state', () => {
  assert.equal(elapsedSeconds('2026-11-23T15:28:01.000Z', GEN), 119.123);
  assert.equal(elapsedSeconds(null, GEN), null);
  assert.equal(elapsedSeconds('not a time', GEN), null);
});

test('wait colour against the threshold: amber from two thirds, red at the threshold', () => {
  assert.equal(waitClass(null, 30), 'none');
  assert.equal(waitClass(0, 30), 'none');
  assert.equal(waitClass(19.9, 30), 'ok');
  assert.equal(waitClass(20, 30), 'amber');
  assert.equal(waitClass(29.9, 30), 'amber');
  assert.equal(waitClass(30, 30), 'red');
  assert.equal(waitClass(5, null), 'ok');
});

test('link is stale after 3 silent heartbeats and dead after 6', () => {
  assert.equal(linkHealth(0, 5, 15000), 'live');
  assert.equal(linkHealth(0, 5, 15001), 'stale');
  assert.equal(linkHealth(0, 5, 30000), 'stale');
  assert.equal(linkHealth(0, 5, 30001), 'dead');
  assert.equal(linkHealth(0, null, 15001), 'stale'); // default heartbeat 5 s
  assert.equal(linkHealth(0, 2, 6001), 'stale');
  assert.equal(linkHealth(null, 5, 99999), 'live');
});

test('reconnect delay doubles from 1 s, caps at 30 s, jitter keeps it within [half, full]', () => {
  const full = [0, 1, 2, 3, 4, 5, 6, 50].map((n) => reconnectDelayMs(n, 0.999999));
  assert.deepEqual(full, [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  assert.equal(reconnectDelayMs(0, 0), 500);
  assert.equal(reconnectDelayMs(1, 0.5), 1500);
  assert.equal(reconnectDelayMs(5, 0), 15000);
  assert.equal(reconnectDelayMs(10, 0.5), 22500);
});

const DEFAULT_FLOOR_OPTIONS = {
  group: null, sort: 'config', only: null, rotate: null, teams: null, states: null, agentSort: 'state', agentGroup: null,
};

test('URL options: queue filter and order, theme, layout, queue', () => {
  assert.deepEqual(parseBoardOptions('?queues=sales, support,,sales&theme=light'), {
    queues: ['sales', 'support'],
    theme: 'light',
    layout: 'tv',
    queue: 'sales',
    ...DEFAULT_FLOOR_OPTIONS,
  });
  const plain = { queues: null, theme: 'dark', layout: 'tv', queue: null, ...DEFAULT_FLOOR_OPTIONS };
  assert.deepEqual(parseBoardOptions(''), plain);
  assert.deepEqual(parseBoardOptions('?theme=neon&queues='), plain);
  assert.deepEqual(parseBoardOptions('?layout=Queue&queue=chat'), { ...plain, layout: 'queue', queue: 'chat' });
  assert.equal(parseBoardOptions('?layout=agents').layout, 'agents');
  assert.equal(parseBoardOptions('?layout=wall').layout, 'tv');
});

test('URL options of a big floor: group, sort, only, rotate, team, state, agent order and grouping', () => {
  const o = parseBoardOptions(
    '?layout=TABLE&group=north&sort=Longest_wait&only=active&rotate=15s&team=t1,t2&state=not_ready,Wrap_up,lunch&agent_sort=longest&agent_group=team',
  );
  assert.deepEqual(o, {
    queues: null, theme: 'dark', layout: 'table', queue: null, group: 'north', sort: 'longest_wait', only: 'active',
    rotate: 15, teams: ['t1', 't2'], states: ['not_ready', 'wrap_up'], agentSort: 'longest', agentGroup: 'team',
  });
  assert.equal(parseBoardOptions('?layout=groups').layout, 'groups');
  assert.equal(parseBoardOptions('?sort=loudest').sort, 'config');
  assert.equal(parseBoardOptions('?only=all').only, null);
  assert.equal(parseBoardOptions('?rotate=2m').rotate, 120);
  assert.equal(parseBoardOptions('?rotate=0s').rotate, 2);
  assert.equal(parseBoardOptions('?rotate=99999m').rotate, 3600);
  assert.equal(parseBoardOptions('?rotate=soon').rotate, null);
  assert.equal(parseBoardOptions('?agent_sort=random').agentSort, 'state');
});

test('queue selection keeps the asked order and reports unknown ids', () => {
  const { queues, missing } = selectQueues(fixture.queues, ['chat', 'nope', 'sales']);
  assert.deepEqual(queues.map((q) => q.id), ['chat', 'sales']);
  assert.deepEqual(missing, ['nope']);
  assert.deepEqual(selectQueues(fixture.queues, null).queues.map((q) => q.id), ['sales', 'support', 'chat']);
  assert.deepEqual(filterAgents(fixture.agents, ['chat']).map((a) => a.id), ['a05', 'a11', 'a13', 'a14', 'a15', 'a16']);
  assert.equal(filterAgents(fixture.agents, null).length, 16);
});

test('agents sort by state, then longest in state first', () => {
  const order = sortAgents([...fixture.agents, { id: 'z', name: 'Zed', state: 'mystery', state_since: null }]);
  assert.deepEqual(
    order.map((a) => a.id),
    ['a14', 'a10', 'a02', 'a06', 'a12', 'a07', 'a04', 'a13', 'a01', 'a08', 'a15', 'a03', 'a11', 'a05', 'a16', 'a09', 'z'],
  );
});

test('partialDayNotice says since when today counts and why, in local time', () => {
  const at = (h, m) => new Date(2026, 11, 1, h, m).toISOString();
  assert.equal(partialDayNotice(null), null);
  assert.equal(partialDayNotice({ waiting_now: 0 }), null);
  assert.equal(partialDayNotice({ today_since: 'not a time' }), null);
  assert.equal(
    partialDayNotice({ today_since: at(14, 3), today_partial_reason: 'no_state_dir' }),
    'Today since 14:03 — restarted without history',
  );
  assert.equal(partialDayNotice({ today_since: at(9, 0), today_partial_reason: 'no_history' }), 'Today since 09:00 — started without history');
  assert.equal(
    partialDayNotice({ today_since: at(14, 3), today_partial_reason: 'daemon_down', today_down_since: at(11, 45) }),
    'Today since 14:03 — wallboardd was down from 11:45',
  );
  assert.equal(partialDayNotice({ today_since: at(14, 3), today_partial_reason: 'new_reason' }), 'Today since 14:03 — earlier figures are missing');
});

test('textLengthStep: long durations get a smaller size step so they fit their box', () => {
  assert.equal(textLengthStep('04:34'), 'm');
  assert.equal(textLengthStep('—'), 'm');
  assert.equal(textLengthStep('1:02:03'), 'l');
  assert.equal(textLengthStep('13:25:10'), 'l');
  assert.equal(textLengthStep('1 d 02:03'), 'xl');
  assert.equal(textLengthStep(null), 'm');
});
