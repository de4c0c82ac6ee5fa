// Live codes for the rows on screen. Once a second, one call to the owner worker asks the engine
// for the code and seconds left of every visible row (TokenSet.codes); the countdown bars move
// four times a second from those seconds. Each cell carries data-code and data-time (the whole
// Unix second the code was computed for).
import { h, groupCode, onTick } from '../dom.js';
import { call } from '../workers.js';

export function liveCodes() {
  const cells = new Map(); // row index → {el, code, bar, meta}
  let stop = null;
  let asking = false;
  let second = -1;
  let answer = null; // the engine's last RowCodes
  let generation = 0;

  function apply(result, my) {
    if (my !== generation) return;
    answer = result;
    result.rows.forEach((row, i) => {
      const c = cells.get(row);
      if (!c) return;
      const code = result.codes[i];
      if (code === null) { c.el.dataset.state = 'empty'; return; }
      c.el.dataset.code = code;
      c.el.dataset.time = String(result.time);
      c.el.dataset.state = result.secondsLeft[i] <= 5 ? 'ending' : 'ok';
      c.code.textContent = groupCode(code);
      c.code.setAttribute('aria-label', `Code ${code.split('').join(' ')}`);
      c.meta.textContent = `${result.secondsLeft[i]} s left`;
    });
  }

  function bars(now) {
    if (!answer) return;
    answer.rows.forEach((row, i) => {
      const c = cells.get(row);
      const period = answer.period[i];
      if (!c || !period) return;
      const left = answer.secondsLeft[i] - (now - answer.time);
      c.bar.style.transform = `scaleX(${Math.max(0, Math.min(1, left / period))})`;
    });
  }

  function tick(now) {
    const t = Math.floor(now);
    if (t !== second && !asking && cells.size) {
      second = t;
      asking = true;
      const my = generation;
      call('codes', { source: 'file', time: t, rows: [...cells.keys()] })
        .then(({ result }) => apply(result, my), () => {})
        .finally(() => { asking = false; });
    }
    bars(now);
  }

  return {
    /** A code cell for `row`; it is filled from the next tick on. */
    cell(row) {
      const code = h('output', { class: 'live-code__code', 'aria-live': 'off' }, '—');
      const bar = h('div', { class: 'countdown__bar' });
      const meta = h('span', { class: 'live-code__meta' });
      const el = h('div', { class: 'live-code live-code--compact', 'data-state': 'empty' },
        code, h('div', { class: 'countdown', 'aria-hidden': 'true' }, bar), meta);
      cells.set(row, { el, code, bar, meta });
      second = -1;
      if (!stop) stop = onTick(tick);
      return el;
    },
    /** Forgets every cell (the table is drawn again, or the tokens changed). */
    reset() {
      generation++;
      cells.clear();
      answer = null;
      second = -1;
      stop?.();
      stop = null;
    },
  };
}
