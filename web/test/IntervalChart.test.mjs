// The interval charts' geometry (scales, gaps, target band, DST days, interval lengths, empty day) against
// hand-computed coordinates. Run: node --test web/test/*.test.mjs
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  alignYesterday,
  applyIntervalMessage,
  chartDomain,
  chartModel,
  dayBounds,
  intervalTopicsForLayout,
  niceCeil,
  parseSparkOption,
  slFloor,
  zoneOffsetMs,
  zonedInstant,
} from '../js/IntervalChart.js';
import { svgMarkup } from '../js/IntervalChartView.js';

const HOUR = 3_600_000;
const PARIS = 'Europe/Paris';

/** An interval entry of `minutes` from `start` (ISO), with the given figures (service_level null by default). */
function entry(start, minutes, figures = {}) {
  const s = Date.parse(start);
  return {
    start: new Date(s).toISOString(),
    end: new Date(s + minutes * 60_000).toISOString(),
    complete: true,
    offered: 0,
    answered: 0,
    abandoned: 0,
    service_level: null,
    staffed: 0,
    ...figures,
  };
}

function payload(intervals, extra = {}) {
  return {
    scope: 'queue:sales',
    day: '2026-12-01',
    time_zone: PARIS,
    interval_minutes: 30,
    target: { service_level: 0.8, threshold_seconds: 30 },
    intervals,
    ...extra,
  };
}

// Paris in winter is UTC+1: local 08:00 on 2026-12-01 is 07:00Z.
const morning = [
  entry('2026-12-01T07:00:00Z', 30, { offered: 12, abandoned: 2, service_level: 0.8, staffed: 7 }),
  entry('2026-12-01T07:30:00Z', 30, { offered: 0, service_level: null, staffed: 7 }),
  entry('2026-12-01T08:00:00Z', 30, { offered: 4, abandoned: 1, service_level: 0.5, staffed: 6, complete: false }),
];

test('time zones: offsets, day lengths over both DST changes, skipped and repeated wall-clock times', () => {
  assert.equal(zoneOffsetMs(Date.parse('2026-12-01T12:00:00Z'), PARIS), HOUR);
  assert.equal(zoneOffsetMs(Date.parse('2026-07-01T12:00:00Z'), PARIS), 2 * HOUR);
  assert.equal(zoneOffsetMs(Date.parse('2026-07-01T12:00:00Z'), 'UTC'), 0);
  const winter = dayBounds('2026-12-01', PARIS);
  assert.deepEqual(winter, { start: Date.parse('2026-11-30T23:00:00Z'), end: Date.parse('2026-12-01T23:00:00Z') });
  const spring = dayBounds('2026-03-29', PARIS);
  assert.equal(spring.end - spring.start, 23 * HOUR);
  const autumn = dayBounds('2026-10-25', PARIS);
  assert.equal(autumn.end - autumn.start, 25 * HOUR);
  assert.equal(zonedInstant('2026-03-29', 150, PARIS), null, '02:30 does not exist on the spring day');
  assert.equal(zonedInstant('2026-10-25', 150, PARIS), Date.parse('2026-10-25T00:30:00Z'), 'the first 02:30 (CEST)');
  assert.equal(zonedInstant('2026-10-25', 210, PARIS), Date.parse('2026-10-25T02:30:00Z'), '03:30 CET');
  assert.equal(zonedInstant('not a day', 0, PARIS), null);
});

test('sparkline: x from the interval midpoints on whole hours, y from the service level, nulls as gaps', () => {
  // fontPx 10: margins of 3 px all round, so the plot is 300 x 100 from (3, 3).
  const m = chartModel(payload(morning), { width: 306, height: 106, fontPx: 10, variant: 'spark', warning: 0.7 });
  assert.deepEqual(m.plot, { x: 3, y: 3, w: 300, h: 100 });
  // Busy from 08:00 to 08:30 local; current interval to 09:30: whole hours 08:00-10:00, stretched to 3 h.
  assert.deepEqual(m.domain, { start: Date.parse('2026-12-01T07:00:00Z'), end: Date.parse('2026-12-01T10:00:00Z') });
  // 180 minutes over 300 px: 08:15 at 25 px, 09:15 at 125 px. The scale runs from 50 % (the lowest value) to
  // 100 %: 2 px a point.
  assert.equal(m.floor, 0.5);
  assert.deepEqual(m.today.points.map((p) => [p.x, p.y, p.sl, p.tone, p.complete]), [
    [28, 43, 0.8, 'green', true],
    [128, 103, 0.5, 'red', false],
  ]);
  assert.deepEqual(m.today.segments, ['M28 43', 'M128 103'], 'the null interval between them is a gap');
  assert.equal(m.bars.length, 0, 'no bars on a sparkline');
  assert.deepEqual(m.xTicks, []);
  assert.deepEqual(m.yTicks, []);
  assert.equal(m.yesterday, null, 'no yesterday in the payload, no dashed line');
});

test('target band: green from the target up, amber down to the warning level (10 points without one)', () => {
  const box = { width: 306, height: 106, fontPx: 10, variant: 'spark' };
  const m = chartModel(payload(morning), { ...box, warning: 0.7 });
  // Scale 50-100 % over 100 px.
  assert.equal(m.targetY, 43);
  assert.equal(m.targetLabel, '80%');
  assert.deepEqual(m.band, [{ tone: 'green', y: 3, h: 40 }, { tone: 'amber', y: 43, h: 20 }]);
  const noWarning = chartModel(payload(morning), box);
  assert.deepEqual(noWarning.band[1], { tone: 'amber', y: 43, h: 20 });
  assert.equal(noWarning.today.points[1].tone, 'red');
  // A warning level of 40 % takes the scale down to 30 %: 100 px for 70 points.
  const lowWarning = chartModel(payload(morning), { ...box, warning: 0.4 });
  assert.equal(lowWarning.floor, 0.3);
  assert.deepEqual(lowWarning.band[1], { tone: 'amber', y: 31.6, h: 57.1 });
  assert.equal(lowWarning.today.points[1].tone, 'amber', 'the points take the tiles\' thresholds');
  const noTarget = chartModel(payload(morning, { target: null }), box);
  assert.deepEqual(noTarget.band, []);
  assert.equal(noTarget.targetY, null);
  assert.equal(noTarget.today.points[0].tone, 'none');
});

test('full chart: bars behind the line on their own scale, hour labels every hour, % labels', () => {
  // fontPx 10: left 36, right 26, top 8, bottom 17 -> a plot of 300 x 200 at (36, 8); the bars in its lower 45 %.
  const m = chartModel(payload(morning), { width: 362, height: 225, fontPx: 10, variant: 'full', warning: 0.7 });
  assert.deepEqual(m.plot, { x: 36, y: 8, w: 300, h: 200 });
  assert.deepEqual(m.barsBox, { x: 36, y: 118, w: 300, h: 90 });
  assert.equal(m.barMax, 20, 'the most offered (12) rounded up to 1, 2 or 5 x 10^k');
  assert.deepEqual(m.bars.map((b) => [b.start, b.offered, b.abandoned, b.x, b.w, b.offeredH, b.abandonedH, b.offeredY]), [
    ['2026-12-01T07:00:00.000Z', 12, 2, 37.5, 47, 54, 9, 154],
    ['2026-12-01T07:30:00.000Z', 0, 0, 87.5, 47, 0, 0, 208],
    ['2026-12-01T08:00:00.000Z', 4, 1, 137.5, 47, 18, 4.5, 190],
  ]);
  assert.deepEqual(m.xTicks, [
    { x: 36, label: '08:00' }, { x: 136, label: '09:00' }, { x: 236, label: '10:00' }, { x: 336, label: '11:00' },
  ]);
  assert.deepEqual(m.yTicks, [{ y: 208, label: '50%' }, { y: 8, label: '100%' }]);
  const small = chartModel(payload(morning), { width: 354, height: 225, fontPx: 10, variant: 'small' });
  assert.deepEqual(small.yTicks, [], 'a small multiple labels only the hours');
  assert.equal(small.xTicks.length > 0, true);
});

test('interval lengths from 5 to 60 minutes: one point and one bar per interval, as wide as its slot', () => {
  for (const minutes of [5, 10, 15, 30, 60]) {
    const list = [];
    for (let t = Date.parse('2026-12-01T07:00:00Z'); t < Date.parse('2026-12-01T10:00:00Z'); t += minutes * 60_000) {
      list.push(entry(new Date(t).toISOString(), minutes, { offered: 3, abandoned: 1, service_level: 0.9 }));
    }
    const m = chartModel(payload(list, { interval_minutes: minutes }), { width: 362, height: 225, fontPx: 10, variant: 'full' });
    assert.equal(m.today.points.length, 180 / minutes, `${minutes} min points`);
    assert.equal(m.bars.length, 180 / minutes, `${minutes} min bars`);
    assert.equal(m.today.segments.length, 1, `${minutes} min: one unbroken line`);
    const slot = (300 * minutes) / 180;
    const pad = Math.min(slot * 0.15, 1.5);
    assert.equal(m.bars[0].w, Math.round((slot - 2 * pad) * 10) / 10, `${minutes} min bar width`);
    assert.equal(m.today.points[0].x, Math.round((36 + slot / 2) * 10) / 10, `${minutes} min first midpoint`);
  }
});

test('a missing interval between two entries breaks the line', () => {
  const list = [
    entry('2026-12-01T07:00:00Z', 30, { offered: 2, service_level: 1 }),
    entry('2026-12-01T08:00:00Z', 30, { offered: 2, service_level: 1 }),
  ];
  const m = chartModel(payload(list), { width: 306, height: 106, fontPx: 10, variant: 'spark' });
  assert.equal(m.today.segments.length, 2);
});

test('empty day: no points or bars, the whole day as the axis, flagged empty', () => {
  const m = chartModel(payload([]), { width: 348, height: 225, fontPx: 10, variant: 'full' });
  assert.equal(m.empty, true);
  assert.deepEqual(m.today, { points: [], segments: [] });
  assert.deepEqual(m.bars, []);
  assert.equal(m.barMax, 1);
  assert.deepEqual(m.domain, dayBounds('2026-12-01', PARIS));
  // 24 h over 300 px: 12.5 px an hour, labels 55 px wide: every 6 hours.
  assert.deepEqual(m.xTicks.map((t) => t.label), ['00:00', '06:00', '12:00', '18:00', '00:00']);
  const none = chartModel(null, { width: 100, height: 50, variant: 'spark' });
  assert.equal(none.empty, true);
  const markup = svgMarkup(m, 10);
  assert.ok(!markup.includes('interval-chart__point'), 'nothing drawn as a value');
});

test('DST days: 25 and 23 hours of axis, each real hour labelled', () => {
  const wide = { width: 2548, height: 225, fontPx: 10, variant: 'full' }; // 2500 px: 100 px an hour
  const autumn = chartModel(payload([], { day: '2026-10-25' }), wide);
  assert.equal(autumn.domain.end - autumn.domain.start, 25 * HOUR);
  assert.deepEqual(autumn.xTicks.map((t) => t.label).slice(0, 5), ['00:00', '01:00', '02:00', '02:00', '03:00']);
  assert.equal(autumn.xTicks.length, 26);
  const spring = chartModel(payload([], { day: '2026-03-29' }), wide);
  assert.equal(spring.domain.end - spring.domain.start, 23 * HOUR);
  assert.deepEqual(spring.xTicks.map((t) => t.label).slice(0, 4), ['00:00', '01:00', '03:00', '04:00']);
});

test('yesterday: dashed line at the same wall-clock time, across a DST change', () => {
  // Today 2026-10-26 (CET, UTC+1); yesterday the 25-hour day. 01:00 CEST yesterday = 2026-10-24T23:00Z.
  const yesterday = [
    entry('2026-10-24T23:00:00Z', 60, { offered: 1, service_level: 1 }),
    entry('2026-10-25T08:00:00Z', 60, { offered: 5, service_level: 0.6 }),
  ];
  const list = [entry('2026-10-26T08:00:00Z', 60, { offered: 3, service_level: 0.9 })];
  const aligned = alignYesterday(yesterday.map((e) => ({ ...e, startMs: Date.parse(e.start), endMs: Date.parse(e.end) })), '2026-10-26', PARIS);
  assert.deepEqual(aligned.map((e) => new Date(e.startMs).toISOString()), ['2026-10-26T00:00:00.000Z', '2026-10-26T08:00:00.000Z']);
  // small, fontPx 10: left and right 18 px, so 300 px of plot from x 18.
  const m = chartModel(payload(list, { day: '2026-10-26', yesterday }), { width: 336, height: 106, fontPx: 10, variant: 'small' });
  // The domain covers yesterday's busy hours too: 01:00 to 10:00 local, 9 h over 300 px.
  assert.deepEqual(m.domain, { start: Date.parse('2026-10-26T00:00:00Z'), end: Date.parse('2026-10-26T09:00:00Z') });
  assert.deepEqual(m.yesterday.points.map((p) => [p.x, p.sl]), [[34.7, 1], [301.3, 0.6]]);
  assert.deepEqual(m.today.points.map((p) => p.x), [301.3], 'today 09:00 local above yesterday 09:00 local');
  const spark = chartModel(payload(list, { day: '2026-10-26', yesterday }), { width: 336, height: 106, fontPx: 10, variant: 'spark' });
  assert.equal(spark.yesterday, null, 'a sparkline is today alone');
  // Spring forward today: yesterday's 02:00 has no place and is left out.
  const skipped = alignYesterday([{ ...entry('2026-03-28T01:00:00Z', 60), startMs: Date.parse('2026-03-28T01:00:00Z'), endMs: Date.parse('2026-03-28T02:00:00Z') }], '2026-03-29', PARIS);
  assert.deepEqual(skipped, []);
});

test('last week: dotted line at the same wall-clock time across a DST change, its own scale share, not on sparklines', () => {
  // Today Monday 2026-10-26 (CET, UTC+1); the same weekday last week 2026-10-19 was CEST (UTC+2): 09:00 local then is
  // 07:00Z, today 08:00Z.
  const lastWeek = [
    entry('2026-10-19T07:00:00Z', 60, { offered: 6, service_level: 0.4 }),
    entry('2026-10-19T15:00:00Z', 60, { offered: 2, service_level: 0.9 }),
  ];
  const list = [entry('2026-10-26T08:00:00Z', 60, { offered: 3, service_level: 0.9 })];
  const data = payload(list, { day: '2026-10-26', last_week: lastWeek, last_week_day: '2026-10-19', last_week_reason: null });
  const m = chartModel(data, { width: 336, height: 106, fontPx: 10, variant: 'small' });
  // The domain runs from today's and last week's first busy hour (09:00 local) to last week's last (18:00 local):
  // 9 h over 300 px from x 18.
  assert.deepEqual(m.domain, { start: Date.parse('2026-10-26T08:00:00Z'), end: Date.parse('2026-10-26T17:00:00Z') });
  assert.deepEqual(m.lastWeek.points.map((p) => [p.start, p.x, p.sl]), [
    ['2026-10-19T07:00:00.000Z', 34.7, 0.4],
    ['2026-10-19T15:00:00.000Z', 301.3, 0.9],
  ], 'each point keeps its own day\'s start, drawn at today\'s same wall-clock time');
  assert.deepEqual(m.today.points.map((p) => p.x), [34.7], 'today 09:00 local above last week 09:00 local');
  assert.equal(m.lastWeek.day, '2026-10-19');
  assert.equal(m.yesterday, null, 'no yesterday in the payload');
  assert.equal(m.floor, 0.4, 'last week\'s 40 % is on the scale');
  assert.equal(m.lastWeek.points[0].y, m.plot.y + m.plot.h, '40 % at the bottom of the plot');
  assert.equal(chartModel(data, { width: 336, height: 106, fontPx: 10, variant: 'spark' }).lastWeek, null, 'a sparkline is today alone');
  // Not held: null, and no line.
  const none = chartModel({ ...data, last_week: null, last_week_reason: 'no journal' }, { width: 336, height: 106, fontPx: 10, variant: 'small' });
  assert.equal(none.lastWeek, null);
  assert.deepEqual(none.domain, { start: Date.parse('2026-10-26T08:00:00Z'), end: Date.parse('2026-10-26T11:00:00Z') });

  // Drawn dotted (zero-length dashes), thinner than yesterday's dashes, each point with last week's own numbers.
  const both = chartModel({ ...data, yesterday: [entry('2026-10-25T09:00:00Z', 60, { offered: 1, service_level: 0.7 })] },
    { width: 336, height: 106, fontPx: 10, variant: 'small' });
  const svg = svgMarkup(both, 10);
  const dotted = /<path class="interval-chart__last-week" d="M34.7 [\d.]+" stroke-width="([\d.]+)" stroke-dasharray="0 [\d.]+"\/>/.exec(svg);
  const dashed = /<path class="interval-chart__yesterday" d="[^"]+" stroke-width="([\d.]+)" stroke-dasharray="[\d.]+ [\d.]+"\/>/.exec(svg);
  assert.ok(dotted && dashed, svg);
  assert.ok(Number(dotted[1]) < Number(dashed[1]), `last week ${dotted[1]} px thinner than yesterday ${dashed[1]} px`);
  assert.match(svg, /<circle class="interval-chart__last-week-point" data-start="2026-10-19T07:00:00.000Z" data-sl="0.4"/);
  assert.ok(svg.indexOf('interval-chart__last-week') < svg.indexOf('interval-chart__line'), 'today\'s line drawn over it');
});

test('chartDomain: whole hours, at least 3 h, clamped to the day', () => {
  const day = dayBounds('2026-12-01', PARIS);
  const late = [{ startMs: day.end - 30 * 60_000, endMs: day.end, offered: 3 }];
  assert.deepEqual(chartDomain(late, [], day), { start: day.end - 3 * HOUR, end: day.end });
  const long = [
    { startMs: day.start + 7.5 * HOUR, endMs: day.start + 8 * HOUR, offered: 1 },
    { startMs: day.start + 17 * HOUR, endMs: day.start + 17.5 * HOUR, staffed: 2 },
  ];
  assert.deepEqual(chartDomain(long, [], day), { start: day.start + 7 * HOUR, end: day.start + 18 * HOUR });
  assert.deepEqual(chartDomain([{ startMs: day.start, endMs: day.start + HOUR, offered: 0 }], [], day), day);
});

test('slFloor: the lowest value shown, 20 points under the target, 10 under the warning level, to 10 %', () => {
  assert.equal(slFloor([{ service_level: 0.95 }], 0.8, 0.7), 0.6);
  assert.equal(slFloor([{ service_level: 0.95 }], 0.8, null), 0.6);
  assert.equal(slFloor([{ service_level: 0.41 }, { service_level: null }], 0.8, 0.7), 0.4);
  assert.equal(slFloor([{ service_level: 0.7 }], 0.9, 0.5), 0.4);
  assert.equal(slFloor([{ service_level: 0 }], 0.8, 0.7), 0);
  assert.equal(slFloor([], null, null), 0.9, 'nothing to show: the top 10 points');
  assert.equal(slFloor([{ service_level: 0.8 }], null, null), 0.8);
});

test('niceCeil rounds up to 1, 2 or 5 x 10^k', () => {
  assert.deepEqual([0, 1, 3, 12, 20, 21, 99, 101, 4999].map(niceCeil), [1, 1, 5, 20, 20, 50, 100, 200, 5000]);
});

test('markup: each point and bar carries the numbers it draws', () => {
  const m = chartModel(payload(morning, { yesterday: [entry('2026-11-30T07:00:00Z', 30, { offered: 3, service_level: 0.6667 })] }),
    { width: 362, height: 225, fontPx: 10, variant: 'full', warning: 0.7 });
  const svg = svgMarkup(m, 10);
  assert.match(svg, /<circle class="interval-chart__point" data-start="2026-12-01T07:00:00.000Z" data-sl="0.8" data-tone="green"/);
  assert.match(svg, /data-start="2026-12-01T08:00:00.000Z" data-sl="0.5" data-tone="red" data-complete="false"/);
  assert.match(svg, /<g class="interval-chart__bar" data-start="2026-12-01T07:00:00.000Z" data-offered="12" data-abandoned="2">/);
  // Yesterday 08:00-08:30 local at today's 08:15: x 61; 0.6667 on the 50-100 % scale: 8 + 0.3333 / 0.5 x 200.
  assert.match(svg, /<path class="interval-chart__yesterday" d="M61 141.3"/);
  assert.match(svg, /<text class="interval-chart__label interval-chart__target-label" [^>]*>80%</);
  assert.match(svg, /<text class="interval-chart__label interval-chart__bar-max" [^>]*data-max="20">20</);
});

test('interval topics: queue layout its queue, kpi every queue, tv only with ?spark=1', () => {
  const center = { queues: [{ id: 'sales' }, { id: 'support' }] };
  assert.deepEqual(intervalTopicsForLayout({ layout: 'queue', queue: 'support' }, center), ['intervals:queue:support']);
  assert.deepEqual(intervalTopicsForLayout({ layout: 'queue', queue: null }, center), ['intervals:queue:sales']);
  assert.deepEqual(intervalTopicsForLayout({ layout: 'queue', queue: 'nope' }, center), []);
  assert.deepEqual(intervalTopicsForLayout({ layout: 'kpi' }, center), ['intervals:queue:sales', 'intervals:queue:support']);
  assert.deepEqual(intervalTopicsForLayout({ layout: 'tv' }, center), []);
  assert.deepEqual(intervalTopicsForLayout({ layout: 'tv', spark: true }, center), ['intervals:queue:sales', 'intervals:queue:support']);
  assert.deepEqual(intervalTopicsForLayout({ layout: 'tv', spark: true, queues: ['support', 'x'] }, center), ['intervals:queue:support']);
  assert.deepEqual(intervalTopicsForLayout({ layout: 'agents', spark: true }, center), []);
  const grouped = { ...center, queue_groups: [{ id: 'north', queues: ['support'] }] };
  assert.deepEqual(intervalTopicsForLayout({ layout: 'tv', spark: true, group: 'north' }, grouped), ['intervals:queue:support'],
    'a group board draws sparklines of its group\'s queues only');
  assert.deepEqual(intervalTopicsForLayout({ layout: 'kpi' }, null), []);
  const eight = { queues: ['q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'q7', 'q8'].map((id) => ({ id })) };
  assert.deepEqual(intervalTopicsForLayout({ layout: 'kpi' }, eight), ['q1', 'q2', 'q3', 'q4', 'q5', 'q6'].map((id) => `intervals:queue:${id}`),
    'the kpi layout charts its first six queues only');
  assert.equal(parseSparkOption('?spark=1'), true);
  assert.equal(parseSparkOption('?layout=tv&spark=on'), true);
  assert.equal(parseSparkOption('?spark=0'), false);
  assert.equal(parseSparkOption(''), false);
});

test('interval topic messages: whole payloads replace, deltas merge by start on their base only', () => {
  const first = applyIntervalMessage(null, { seq: 3, data: payload(morning.slice(0, 2)) });
  assert.equal(first.have.seq, 3);
  const stale = applyIntervalMessage(first.have, { seq: 2, data: payload([]) });
  assert.equal(stale.have, first.have);
  const closed = { ...morning[1], answered: 0, complete: true };
  const next = applyIntervalMessage(first.have, { seq: 4, base: 3, delta: { intervals: [closed, morning[2]] } });
  assert.equal(next.resync, false);
  assert.deepEqual(next.have.data.intervals.map((e) => e.start), morning.map((e) => e.start));
  assert.equal(next.have.data.day, '2026-12-01');
  const withYesterday = applyIntervalMessage(next.have, { seq: 5, base: 4, delta: { intervals: [], yesterday: [morning[0]] } });
  assert.deepEqual(withYesterday.have.data.yesterday, [morning[0]], 'yesterday comes whole');
  assert.equal(withYesterday.have.data.intervals.length, 3);
  const noYesterday = applyIntervalMessage(withYesterday.have, { seq: 6, base: 5, delta: { intervals: [], yesterday: null } });
  assert.equal(noYesterday.have.data.yesterday, null);
  const lastWeek = { intervals: [], last_week: [morning[0]], last_week_day: '2026-11-24', last_week_reason: null };
  const withLastWeek = applyIntervalMessage(noYesterday.have, { seq: 7, base: 6, delta: lastWeek });
  assert.deepEqual(withLastWeek.have.data.last_week, [morning[0]], 'last week comes whole');
  assert.equal(withLastWeek.have.data.last_week_day, '2026-11-24');
  assert.equal(withLastWeek.have.data.intervals.length, 3);
  const gone = applyIntervalMessage(withLastWeek.have, {
    seq: 8, base: 7, delta: { intervals: [], last_week: null, last_week_day: '2026-11-25', last_week_reason: 'being read' },
  });
  assert.equal(gone.have.data.last_week, null);
  assert.equal(gone.have.data.last_week_reason, 'being read');
  const broken = applyIntervalMessage(next.have, { seq: 7, base: 5, delta: { intervals: [] } });
  assert.equal(broken.resync, true);
  assert.equal(broken.have, next.have);
  assert.equal(applyIntervalMessage(null, { seq: 1, base: 0, delta: {} }).resync, true);
});
