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
})();
