// The agent card's "2/3 chats". Run: node --test web/test/*.test.mjs
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadLabel } from '../js/AgentCard.js';
import { agentView } from '../js/WallboardView.js';

test('an agent holding several contacts shows live/capacity per channel', () => {
  assert.equal(loadLabel([{ channel: 'chat', live: 2, capacity: 3 }]), '2/3 chats');
  assert.equal(
    loadLabel([{ channel: 'voice', live: 1, capacity: 1 }, { channel: 'email', live: 4, capacity: 5 }]),
    '4/5 e-mails',
  );
  assert.equal(loadLabel([{ channel: 'voice', live: 1, capacity: 1 }]), '');
  // Two chats on an agent whose capacity is 1 (none configured): the card must not hide them.
  assert.equal(loadLabel([{ channel: 'chat', live: 2, capacity: 1 }]), '2/1 chats');
  assert.equal(loadLabel(undefined), '');
  assert.equal(loadLabel([{ channel: 'chat', live: 'x', capacity: 3 }]), '');
});

test('the card view carries the load only when there is one', () => {
  const ctx = { serverNow: Date.parse('2026-11-23T15:30:00Z'), queueNames: new Map() };
  const agent = { id: 'a1', name: 'Ana', state: 'on_contact', state_since: '2026-11-23T15:29:00Z', queues: ['chat'] };
  assert.equal(agentView(agent, ctx).load, undefined);
  const chats = { ...agent, load: [{ channel: 'chat', live: 2, capacity: 3 }] };
  assert.equal(agentView(chats, ctx).load, '2/3 chats');
});
