/**
 * Pure geometry of the interval charts (issue 18): today's intervals of a queue or of the center
 * (`GET /api/v1/intervals`, topics `intervals:center` and `intervals:queue:<id>`) turned into what an SVG draws —
 * scales, the target band, the service-level line with gaps where it is undefined, yesterday's and the same weekday last
 * week's lines (both moved onto today's wall clock), the offered and abandoned bars, and the few axis labels a TV needs. No DOM, no clock: the box and the payload come in as arguments,
 * so `node --test` checks every coordinate. `IntervalChartView.js` draws the result.
 */

import { serviceLevelClass } from './WallboardLogic.js';
import { pickedQueues } from './TopicStore.js';

const MINUTE_MS = 60_000;
const QUARTER_MS = 900_000;
const HOUR_MS = 3_600_000;
/** Zone offsets by quarter hour (zoneOffsetMs); a board draws a few days, so this bound is never reached in use. */
const MAX_CACHED_OFFSETS = 20_000;
const offsets = new Map();

/**
 * The three sizes of chart: the queue layout's (`full`: service level above, bars below, hour and % labels), the
 * kpi layout's small multiple per queue (`small`: the same with fewer labels) and the tv tile's sparkline (`spark`:
 * the service-level line against the target only).
 */
export const CHART_VARIANTS = ['full', 'small', 'spark'];

/** The kpi layout draws the first this many queues' small multiples (more would be too narrow to read). */
export const KPI_CHARTS = 6;

/** The x axis never spans less than this (a quiet morning's first interval is not stretched over the whole width). */
export const MIN_SPAN_HOURS = 3;

/** The share of the plot's height the bars may take, from its bottom. */
export const BAR_SHARE = 0.45;

/** Hour steps the x axis labels use, the smallest whose labels keep `minLabelGapPx` apart. */
const HOUR_STEPS = [1, 2, 3, 4, 6, 12];

/**
 * The topics a board's charts need, besides `TopicStore.topicsForLayout`'s: the queue layout its queue's
 * intervals, the kpi layout those of its first KPI_CHARTS queues, the tv layout with `?spark=1` each shown queue's.
 * Other layouts none.
 * @param {{layout?: string, queues?: string[]|null, queue?: string|null, spark?: boolean}} board
 * @param {{queues?: Array<{id: string}>}|null} center the `center` payload, null before it came
 * @returns {string[]} sorted
 */
export function intervalTopicsForLayout(board, center) {
  const layout = (board && board.layout) || 'tv';
  const known = ((center && center.queues) || []).map((q) => q.id);
  const picked = pickedQueues(board, center);
  const ids = new Set();
  if (layout === 'queue') {
    const id = (board && board.queue) || known[0];
    if (id && known.includes(id)) ids.add(id);
  } else if (layout === 'kpi') {
    for (const id of known.slice(0, KPI_CHARTS)) ids.add(id);
  } else if (layout === 'tv' && board && board.spark) {
    for (const id of picked ? picked.filter((p) => known.includes(p)) : known) ids.add(id);
  }
  return [...ids].map((id) => `intervals:queue:${id}`).sort();
}

/** Whether a topic name is an interval topic (the socket hands those to the charts, not to the TopicStore). */
export function isIntervalTopic(name) {
  return typeof name === 'string' && name.startsWith('intervals:');
}

/**
 * `?spark=1` (or `true`/`yes`/`on`) turns on the tv layout's sparklines; off by default.
 * @param {string} search `location.search`
 * @returns {boolean}
 */
export function parseSparkOption(search) {
  const value = (new URLSearchParams(search || '').get('spark') || '').trim().toLowerCase();
  return ['1', 'true', 'yes', 'on'].includes(value);
}

/**
 * A topic's payload after one `topic` message: a whole `data` replaces it; a `delta` applies only on top of its
 * `base`: its `intervals` entries replace the entries with the same `start` and add the new ones (the current
 * interval's figures, a newly closed interval), any other member (`yesterday`, `last_week`, `last_week_day`,
 * `last_week_reason`, whole or null) replaces the client's.
 * @param {{seq: number, data: object}|null} have what the board has for the topic
 * @param {object} msg the `topic` message
 * @returns {{have: {seq: number, data: object}|null, resync: boolean}} resync: subscribe again for a whole payload
 */
export function applyIntervalMessage(have, msg) {
  if (!msg || typeof msg.seq !== 'number') return { have, resync: false };
  if (msg.data && typeof msg.data === 'object') {
    if (have && msg.seq < have.seq) return { have, resync: false };
    return { have: { seq: msg.seq, data: msg.data }, resync: false };
  }
  if (!msg.delta || typeof msg.delta !== 'object') return { have, resync: false };
  if (have && msg.seq <= have.seq) return { have, resync: false };
  if (!have || msg.base !== have.seq) return { have, resync: true };
  const data = { ...have.data, ...msg.delta };
  if (Array.isArray(msg.delta.intervals)) {
    const byStart = new Map((Array.isArray(have.data.intervals) ? have.data.intervals : []).map((e) => [e.start, e]));
    for (const e of msg.delta.intervals) if (e && typeof e.start === 'string') byStart.set(e.start, e);
    data.intervals = [...byStart.values()].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  }
  return { have: { seq: msg.seq, data }, resync: false };
}

/**
 * The offset of `tz` from UTC at `instant`, in ms (Paris in winter: 3,600,000). An unknown zone counts as UTC.
 * Offsets change only on quarter hours of UTC (every zone's offset is a multiple of 15 minutes), so one lookup in
 * `Intl` serves a whole quarter hour: a day of 5-minute intervals with yesterday costs a few hundred lookups, once.
 * @param {number} instant epoch ms
 * @param {string} tz IANA name
 * @returns {number}
 */
export function zoneOffsetMs(instant, tz) {
  const quarter = Math.floor(instant / QUARTER_MS) * QUARTER_MS;
  const key = `${tz}|${quarter}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    const parts = {};
    for (const p of formatter(tz).formatToParts(new Date(quarter))) parts[p.type] = p.value;
    offset = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour) % 24, Number(parts.minute)) - quarter;
    if (offsets.size >= MAX_CACHED_OFFSETS) offsets.clear();
    offsets.set(key, offset);
  }
  return offset;
}

/**
 * The local wall clock of `instant` in `tz`.
 * @returns {{year: number, month: number, day: number, hour: number, minute: number}}
 */
export function zonedParts(instant, tz) {
  const local = new Date(instant + zoneOffsetMs(instant, tz));
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
  };
}

/**
 * The instant at which the wall clock of `tz` reads `minutes` after midnight of the date `day` (YYYY-MM-DD; the
 * minutes may run past the day). null when that wall-clock time does not exist there (the hour skipped when
 * daylight saving time starts); for a time that happens twice (when it ends), the first.
 * @param {string} day
 * @param {number} minutes
 * @param {string} tz
 * @returns {number|null} epoch ms
 */
export function zonedInstant(day, minutes, tz) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(day || ''));
  if (!m) return null;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) + minutes * MINUTE_MS;
  // The earlier of the two candidate offsets first, so a repeated time gives its first instant.
  const offsets = [zoneOffsetMs(wall - 2 * HOUR_MS * 7, tz), zoneOffsetMs(wall + 2 * HOUR_MS * 7, tz), zoneOffsetMs(wall, tz)];
  const candidates = [...new Set(offsets)].map((o) => wall - o).sort((a, b) => a - b);
  for (const t of candidates) if (zoneOffsetMs(t, tz) + t === wall) return t;
  return null;
}

/** Local midnight of `day` in `tz` and of the day after: the day's real length (23, 24 or 25 hours). */
export function dayBounds(day, tz) {
  const start = zonedInstant(day, 0, tz);
  const end = zonedInstant(day, 24 * 60, tz);
  if (start === null || end === null) return null;
  return { start, end };
}

/**
 * Everything a chart draws, in the pixels of its box.
 * @param {object|null} payload the intervals payload (`data` of the topic or of the API)
 * @param {{width: number, height: number, fontPx?: number, variant?: string, warning?: number|null}} box
 *   the SVG's size in px, the label font size in px, the variant (CHART_VARIANTS), the queue's `warning_level`
 * @returns {object} `{width, height, variant, empty, plot, barsBox, domain, floor, band, targetY, targetLabel, xTicks,
 *   yTicks, today: {segments, points}, yesterday: {segments, points}|null, lastWeek: {segments, points, day}|null,
 *   bars, barMax}`; segments are SVG path
 *   strings (one per run of defined values), points `{x, y, start, sl, tone, complete}`, bars `{x, w, start,
 *   offered, abandoned, offeredY, offeredH, abandonedY, abandonedH}`
 */
export function chartModel(payload, box) {
  const variant = CHART_VARIANTS.includes(box.variant) ? box.variant : 'full';
  const width = positive(box.width, 300);
  const height = positive(box.height, 150);
  const font = positive(box.fontPx, 16);
  const tz = validZone(payload && payload.time_zone);
  const today = entries(payload && payload.intervals);
  const bounds = (payload && dayBounds(payload.day, tz)) || boundsOf(today);
  const target = payload && payload.target && isNum(payload.target.service_level) ? payload.target.service_level : null;
  const warning = isNum(box.warning) ? box.warning : null;

  // A sparkline is today's line alone.
  const yesterday = variant !== 'spark' && payload && Array.isArray(payload.yesterday) && bounds
    ? alignedPast(payload.yesterday, payload.day, tz)
    : null;
  const lastWeek = variant !== 'spark' && payload && Array.isArray(payload.last_week) && bounds
    ? alignedPast(payload.last_week, payload.day, tz)
    : null;
  const past = [...(yesterday || []), ...(lastWeek || [])];
  const domain = chartDomain(today, past, bounds);

  // Margins: room for the % labels on the left and the hour labels below; none for a sparkline.
  const labels = variant !== 'spark';
  // The first and last hour labels are centred on the plot's edges: half a label of room on either side.
  const left = labels ? Math.round(font * (variant === 'full' ? 3.6 : 1.8)) : Math.round(font * 0.3);
  const right = Math.round(font * (variant === 'full' ? 2.6 : labels ? 1.8 : 0.3));
  const top = Math.round(font * (labels ? 0.8 : 0.3));
  const bottom = labels ? Math.round(font * 1.7) : Math.round(font * 0.3);
  const inner = { x: left, y: top, w: Math.max(1, width - left - right), h: Math.max(1, height - top - bottom) };
  // The bars stand behind the line in the lower part of the same box: the line gets the whole height (a TV has
  // little of it to spare) and the bars stay under the target band where the line mostly runs.
  const withBars = variant !== 'spark';
  const plot = inner;
  const barsBox = withBars
    ? { x: inner.x, y: round(inner.y + inner.h * (1 - BAR_SHARE)), w: inner.w, h: round(inner.h * BAR_SHARE) }
    : null;

  const inDomain = (e) => e.endMs > domain.start && e.startMs < domain.end;
  const floor = slFloor([...today, ...past].filter(inDomain), target, warning);
  const xOf = (t) => round(plot.x + ((t - domain.start) / (domain.end - domain.start)) * plot.w);
  const yOf = (sl) => round(plot.y + ((1 - Math.max(floor, Math.min(1, sl))) / (1 - floor)) * plot.h);

  const line = (list) => {
    const points = [];
    const segments = [];
    let run = [];
    for (const e of list) {
      if (!inDomain(e)) continue;
      if (!isNum(e.service_level)) {
        if (run.length) segments.push(run);
        run = [];
        continue;
      }
      const p = {
        x: xOf((e.startMs + e.endMs) / 2),
        y: yOf(e.service_level),
        start: e.start,
        sl: e.service_level,
        tone: serviceLevelClass(e.service_level, target, warning),
        complete: e.complete !== false,
      };
      points.push(p);
      // A missing interval between two entries is a gap too, not a line across it.
      if (run.length && run[run.length - 1].endMs < e.startMs) {
        segments.push(run);
        run = [];
      }
      run.push({ ...p, endMs: e.endMs });
    }
    if (run.length) segments.push(run);
    return { points, segments: segments.map(pathOf) };
  };

  const band = [];
  let targetY = null;
  if (target !== null) {
    targetY = yOf(target);
    band.push({ tone: 'green', y: yOf(1), h: round(targetY - yOf(1)) });
    if (warnOf(target, warning) < target) band.push({ tone: 'amber', y: targetY, h: round(yOf(warnOf(target, warning)) - targetY) });
  }

  const barList = withBars ? today.filter((e) => inDomain(e) && (isNum(e.offered) || isNum(e.abandoned))) : [];
  const barMax = niceCeil(Math.max(1, ...barList.map((e) => (isNum(e.offered) ? e.offered : 0)), ...barList.map((e) => (isNum(e.abandoned) ? e.abandoned : 0))));
  const bars = barsBox
    ? barList.map((e) => {
        const x0 = xOf(Math.max(e.startMs, domain.start));
        const x1 = xOf(Math.min(e.endMs, domain.end));
        const slot = x1 - x0;
        const pad = Math.min(slot * 0.15, Math.max(1, font * 0.15));
        const hOf = (v) => (isNum(v) ? round((Math.max(0, v) / barMax) * barsBox.h) : 0);
        const offeredH = hOf(e.offered);
        const abandonedH = hOf(e.abandoned);
        return {
          x: round(x0 + pad),
          w: round(Math.max(1, slot - 2 * pad)),
          start: e.start,
          offered: isNum(e.offered) ? e.offered : null,
          abandoned: isNum(e.abandoned) ? e.abandoned : null,
          complete: e.complete !== false,
          offeredY: round(barsBox.y + barsBox.h - offeredH),
          offeredH,
          abandonedY: round(barsBox.y + barsBox.h - abandonedH),
          abandonedH,
        };
      })
    : [];

  const xTicks = labels ? hourTicks(domain, tz, plot, font, variant).map((t) => ({ x: xOf(t.at), label: t.label })) : [];
  const yTicks = variant === 'full' ? [floor, 1].map((v) => ({ y: yOf(v), label: `${Math.round(v * 100)}%` })) : [];

  return {
    width,
    height,
    variant,
    empty: today.length === 0,
    plot,
    barsBox,
    domain,
    floor,
    band,
    targetY,
    targetLabel: target !== null ? `${Math.round(target * 100)}%` : null,
    xTicks,
    yTicks,
    today: line(today),
    yesterday: yesterday ? line(yesterday) : null,
    lastWeek: lastWeek ? { ...line(lastWeek), day: typeof payload.last_week_day === 'string' ? payload.last_week_day : null } : null,
    bars,
    barMax,
  };
}

/**
 * The bottom of the service-level scale (the top is 100 %): 0 % would squeeze a good day into a thin strip at the
 * top, so the scale starts at the lowest of the values shown, 20 points under the target and 10 under the warning
 * level, rounded down to 10 %.
 * @param {Array<{service_level?: number|null}>} list the entries drawn
 * @param {number|null} target
 * @param {number|null} warning
 * @returns {number} 0 .. 0.9
 */
export function slFloor(list, target, warning) {
  let low = 1;
  for (const e of list) if (isNum(e.service_level)) low = Math.min(low, e.service_level);
  if (target !== null) low = Math.min(low, target - 0.2, warnOf(target, warning) - 0.1);
  return Math.min(0.9, Math.max(0, Math.floor(Math.round(low * 1000) / 100) / 10));
}

/** The warning level the tiles use: the queue's, else 10 points under the target. */
function warnOf(target, warning) {
  return warning !== null ? warning : Math.max(0, target - 0.1);
}

/**
 * The time span the x axis shows: whole hours from the first interval with traffic or staff (today, yesterday or last
 * week)
 * to the last one or the current interval, at least MIN_SPAN_HOURS, within the day; the whole day when nothing
 * happened.
 * @param {Array<object>} today entries with startMs/endMs
 * @param {Array<object>} yesterday entries of past days (yesterday, last week) aligned onto today
 * @param {{start: number, end: number}|null} bounds the day
 * @returns {{start: number, end: number}} epoch ms
 */
export function chartDomain(today, yesterday, bounds) {
  const day = bounds || { start: 0, end: 24 * HOUR_MS };
  const busy = (e) => (isNum(e.offered) && e.offered > 0) || (isNum(e.staffed) && e.staffed > 0);
  const active = [...today, ...yesterday].filter(busy);
  if (!active.length) return { start: day.start, end: day.end };
  let start = Math.min(...active.map((e) => e.startMs));
  let end = Math.max(...active.map((e) => e.endMs), ...today.map((e) => e.endMs));
  // Whole hours counted from local midnight (so 08:00 in Paris, not 08:00 UTC).
  start = day.start + Math.floor((start - day.start) / HOUR_MS) * HOUR_MS;
  end = day.start + Math.ceil((end - day.start) / HOUR_MS) * HOUR_MS;
  if (end - start < MIN_SPAN_HOURS * HOUR_MS) {
    end = start + MIN_SPAN_HOURS * HOUR_MS;
    if (end > day.end) {
      end = day.end;
      start = Math.max(day.start, end - MIN_SPAN_HOURS * HOUR_MS);
    }
  }
  return { start: Math.max(day.start, start), end: Math.min(day.end, end) };
}

/** alignYesterday of a past day's list (a payload's `yesterday` or `last_week`), worked out once per list, day and zone. */
function alignedPast(list, day, tz) {
  const kept = alignedLists.get(list);
  if (kept && kept.day === day && kept.tz === tz) return kept.aligned;
  const aligned = alignYesterday(entries(list), day, tz);
  alignedLists.set(list, { day, tz, aligned });
  return aligned;
}

/**
 * A past day's entries (yesterday's, or the same weekday last week's) moved onto today at the same wall-clock time
 * (so 09:00 yesterday sits above 09:00 today, across a change of daylight saving time); an entry whose time does not
 * exist today (the skipped hour) is left out.
 * @param {Array<object>} list the past day's entries with startMs/endMs
 * @param {string} day today, YYYY-MM-DD
 * @param {string} tz
 * @returns {Array<object>}
 */
export function alignYesterday(list, day, tz) {
  const out = [];
  for (const e of list) {
    const p = zonedParts(e.startMs, tz);
    const startMs = zonedInstant(day, p.hour * 60 + p.minute, tz);
    if (startMs === null) continue;
    out.push({ ...e, startMs, endMs: startMs + (e.endMs - e.startMs) });
  }
  // A repeated hour yesterday maps twice onto the same place today: keep the first.
  return out.filter((e, i) => i === 0 || e.startMs > out[i - 1].startMs);
}

/**
 * Hour labels along the x axis: local hours (each real hour of a 25-hour day, so "02:00" twice), every 1, 2, 3, 4,
 * 6 or 12 hours — the smallest step whose labels stay apart — on hours divisible by the step.
 */
function hourTicks(domain, tz, plot, font, variant) {
  const labelWidth = font * (variant === 'full' ? 5.5 : 4);
  const hours = [];
  for (let t = Math.ceil(domain.start / MINUTE_MS) * MINUTE_MS; t <= domain.end; t += MINUTE_MS * 15) {
    const p = zonedParts(t, tz);
    if (p.minute === 0) hours.push({ at: t, hour: p.hour });
  }
  const perPx = hours.length > 1 ? plot.w / ((domain.end - domain.start) / HOUR_MS) : plot.w;
  const step = HOUR_STEPS.find((s) => s * perPx >= labelWidth) || 24;
  const picked = hours.filter((h) => h.hour % step === 0);
  return picked.map((h) => ({ at: h.at, label: `${String(h.hour).padStart(2, '0')}:00` }));
}

/**
 * A payload's entries with their times parsed, oldest first, those without a valid span left out. Each entry's parse
 * is kept for as long as the entry lives: a topic's delta replaces a few entries and keeps the others, so a redraw
 * parses only what changed.
 */
function entries(list) {
  if (!Array.isArray(list)) return [];
  const out = [];
  for (const e of list) {
    if (!e || typeof e !== 'object') continue;
    let parsed = parsedEntries.get(e);
    if (parsed === undefined) {
      const startMs = typeof e.start === 'string' ? Date.parse(e.start) : NaN;
      const endMs = typeof e.end === 'string' ? Date.parse(e.end) : NaN;
      parsed = Number.isFinite(startMs) && Number.isFinite(endMs) && endMs > startMs ? { ...e, startMs, endMs } : null;
      parsedEntries.set(e, parsed);
    }
    if (parsed) out.push(parsed);
  }
  return out.sort((a, b) => a.startMs - b.startMs);
}

/** entries()' parses, by entry object. */
const parsedEntries = new WeakMap();
/** alignYesterday()'s results, by the payload's `yesterday` or `last_week` list (which a delta replaces whole or keeps). */
const alignedLists = new WeakMap();

function boundsOf(list) {
  if (!list.length) return null;
  return { start: list[0].startMs, end: list[list.length - 1].endMs };
}

function pathOf(run) {
  return run.map((p, i) => `${i ? 'L' : 'M'}${p.x} ${p.y}`).join(' ');
}

/** The smallest of 1, 2, 5 × 10^k at or above `v`. */
export function niceCeil(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v - 1e-9) return m * p;
  return 10 * p;
}

const formatters = new Map();
function formatter(tz) {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
    });
    formatters.set(tz, f);
  }
  return f;
}

function validZone(tz) {
  if (typeof tz !== 'string' || !tz) return 'UTC';
  try {
    formatter(tz);
    return tz;
  } catch {
    return 'UTC';
  }
}

function isNum(v) {
  return typeof v === 'number' && Number.isFinite(v);
}

function positive(v, fallback) {
  return isNum(v) && v > 0 ? v : fallback;
}

function round(v) {
  return Math.round(v * 10) / 10;
}
