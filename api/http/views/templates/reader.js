(() => {
  const data = JSON.parse(document.getElementById('reader-data').textContent);
  const card = document.getElementById('card');
  let hideTimer = null;
  const primary = (mark) => mark.dataset.citation || mark.dataset.citationPart;
  function marksAt(node) {
    const found = [];
    for (let el = node; el && el !== document.body; el = el.parentElement) {
      if (el.matches && el.matches('mark[data-citation], mark[data-citation-part]')) {
        const id = primary(el);
        if (!found.includes(id)) found.push(id);
      }
    }
    return found;
  }
  function entry(id) {
    const c = data[id];
    const div = document.createElement('div');
    div.className = 'entry';
    const who = document.createElement('div');
    who.className = 'who';
    who.textContent = c.speaker;
    const how = document.createElement('div');
    how.textContent = c.modeWords + (c.saidOn ? ' · said ' + c.saidOn : '');
    const what = document.createElement('div');
    what.textContent = c.summary;
    const link = document.createElement('a');
    link.href = c.playground;
    link.textContent = 'Open this claim in the playground';
    div.append(who, how, what, link);
    return div;
  }
  function show(anchor, ids) {
    clearTimeout(hideTimer);
    card.replaceChildren(...ids.map(entry));
    card.hidden = false;
    const box = anchor.getBoundingClientRect();
    const width = Math.min(card.offsetWidth, window.innerWidth - 16);
    const left = Math.max(8, Math.min(box.left, window.innerWidth - width - 8));
    card.style.left = (left + window.scrollX) + 'px';
    card.style.top = (box.bottom + window.scrollY + 6) + 'px';
    for (const el of document.querySelectorAll('[aria-describedby="card"]')) {
      el.removeAttribute('aria-describedby');
    }
    anchor.setAttribute('aria-describedby', 'card');
  }
  function hideSoon() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(() => { card.hidden = true; }, 250);
  }
  document.addEventListener('mouseover', (event) => {
    if (card.contains(event.target)) { clearTimeout(hideTimer); return; }
    const ids = marksAt(event.target);
    if (ids.length) {
      const mark = event.target.closest('mark');
      show(mark, ids);
    } else if (!card.hidden) {
      hideSoon();
    }
  });
  document.addEventListener('focusin', (event) => {
    if (card.contains(event.target)) { clearTimeout(hideTimer); return; }
    const ids = marksAt(event.target);
    if (ids.length) show(event.target, ids); else card.hidden = true;
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') { card.hidden = true; return; }
    const mark = event.target.closest && event.target.closest('mark[data-citation]');
    if (mark && (event.key === 'Enter' || event.key === ' ')) {
      event.preventDefault();
      const link = card.querySelector('a');
      if (link) link.focus();
    }
  });
  // The span picker: the selected words' W3C selector (TextQuoteSelector and TextPositionSelector in
  // one object, as the fixtures write it), offsets in code points of the stored text, `context` code
  // points of prefix and suffix (the page carries the server's value), and a citation stub.
  const text = document.getElementById('text');
  const picker = document.getElementById('picker');
  const el = (id) => document.getElementById(id);
  const shown = text.textContent;
  const points = Array.from(shown);
  const context = Number(text.dataset.context);
  const source = text.dataset.source;
  const intact = points.length === Number(text.dataset.length);
  let current = null;
  let cue = null;
  function unitsBefore(node, offset) {
    const range = document.createRange();
    range.setStart(text, 0);
    range.setEnd(node, offset);
    return range.toString().length;
  }
  function selector(start, end) {
    return {
      source: source,
      exact: points.slice(start, end).join(''),
      prefix: points.slice(Math.max(0, start - context), start).join(''),
      suffix: points.slice(end, end + context).join(''),
      start: start,
      end: end,
    };
  }
  function selected() {
    const selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
    const range = selection.getRangeAt(0);
    if (!range.intersectsNode(text)) return null;
    const whole = document.createRange();
    whole.selectNodeContents(text);
    let from = range.compareBoundaryPoints(Range.START_TO_START, whole) <= 0
      ? 0 : unitsBefore(range.startContainer, range.startOffset);
    let to = range.compareBoundaryPoints(Range.END_TO_END, whole) >= 0
      ? shown.length : unitsBefore(range.endContainer, range.endOffset);
    while (from < to && /\s/.test(shown[from])) from += 1;  // the words, not the space around them
    while (to > from && /\s/.test(shown[to - 1])) to -= 1;
    if (from >= to) return null;
    return selector(Array.from(shown.slice(0, from)).length, Array.from(shown.slice(0, to)).length);
  }
  function occurrences(words) {
    let count = 0;
    for (let at = shown.indexOf(words); at >= 0; at = shown.indexOf(words, at + 1)) count += 1;
    return count;
  }
  function stub() {
    const claim = el('picker-claim').value.trim() || 'CLAIM-ID';
    return {
      id: claim + '--' + source,
      claim: claim,
      mode: el('picker-mode').value,
      cue: cue,
      evidence: current,
      notes: [],
      verification: { by: 'curator', on: new Date().toISOString().slice(0, 10), methods: ['selector-checked'] },
    };
  }
  function render() {
    picker.hidden = false;
    el('picker-warning').hidden = intact;
    if (!intact) {
      el('picker-warning').textContent = 'The text shown is not the stored text (' + points.length +
        ' code points shown, ' + text.dataset.length + ' stored): no selector can be worked out here.';
      return;
    }
    el('picker-selector').textContent = JSON.stringify(current, null, 2);
    el('picker-stub').textContent = JSON.stringify(stub(), null, 2);
    const times = occurrences(current.exact);
    el('picker-where').textContent = 'code points ' + current.start + '\u2013' + current.end +
      (times > 1 ? '; the words occur ' + times + ' times, the prefix says which' : '');
    el('picker-uncue').hidden = cue === null;
  }
  let pickTimer = null;
  document.addEventListener('selectionchange', () => {
    clearTimeout(pickTimer);
    pickTimer = setTimeout(() => {
      const found = selected();
      if (found) { current = found; render(); }
    }, 100);
  });
  picker.addEventListener('click', (event) => {
    const button = event.target.closest('button');
    if (!button) return;
    if (button.dataset.copy) {
      const done = () => { button.textContent = 'copied'; setTimeout(() => { button.textContent = 'copy'; }, 1500); };
      const words = el(button.dataset.copy).textContent;
      if (navigator.clipboard) navigator.clipboard.writeText(words).then(done, () => {});
    } else if (button.id === 'picker-cue') {
      cue = current;
      render();
    } else if (button.id === 'picker-uncue') {
      cue = null;
      render();
    } else if (button.id === 'picker-close') {
      picker.hidden = true;
    }
  });
  el('picker-claim').addEventListener('input', () => { if (current) render(); });
  el('picker-mode').addEventListener('change', () => { if (current) render(); });
})();
