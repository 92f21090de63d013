// TokenBoard's only script (the pages work without it; CSP allows scripts from 'self'
// only, so nothing inline). It makes the htmx-enhanced pages nicer:
//  - live parts ([data-live], polled by htmx every 3 s) pause while the tab is hidden
//    (the next tick after it is shown again refreshes them);
//  - filter forms ([data-autosubmit]) apply on change, and the search box while typing;
//  - empty filter fields are left out of the URL, so shared links stay short;
//  - focus stays where it was when a part of the page is swapped (htmx brings it back to
//    an element with the same id; otherwise it goes to the new part, never to <body>),
//    and a part that says what it shows ([data-announce]) is announced politely;
//  - Copy buttons ([data-copy], hidden until this script runs) copy their block's text;
//  - a box that scrolls sideways with nothing focusable inside can be reached and
//    scrolled from the keyboard.
(function () {
  'use strict';

  var FOCUSABLE = 'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
  var SCROLLERS = '.scroll, .heatmap-wrap, .lb-table, pre, .tabs, .admin-nav, .top nav';

  document.addEventListener('htmx:beforeRequest', function (evt) {
    var elt = evt.detail && evt.detail.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute('data-live') && document.visibilityState !== 'visible') {
      evt.preventDefault();
    }
  });

  document.addEventListener('htmx:configRequest', function (evt) {
    var elt = evt.detail && evt.detail.elt;
    if (!elt || !elt.closest || !elt.closest('form[data-autosubmit]') || evt.detail.verb !== 'get') return;
    var params = evt.detail.parameters;
    var keys = [];
    if (params && typeof params.keys === 'function') {
      for (var k of params.keys()) keys.push(k);
    } else if (params) {
      keys = Object.keys(params);
    }
    keys.forEach(function (key) {
      var v = typeof params.get === 'function' ? params.get(key) : params[key];
      if (v === '' || v === null || v === undefined) {
        if (typeof params.delete === 'function') params.delete(key); else delete params[key];
      }
    });
  });

  var timer = null;
  function submit(form) {
    if (typeof form.requestSubmit === 'function') form.requestSubmit(); else form.submit();
  }
  document.addEventListener('change', function (evt) {
    var form = evt.target && evt.target.closest && evt.target.closest('form[data-autosubmit]');
    if (form && evt.target.type !== 'search') submit(form);
  });
  document.addEventListener('input', function (evt) {
    var t = evt.target;
    var form = t && t.type === 'search' && t.closest && t.closest('form[data-autosubmit]');
    if (!form) return;
    clearTimeout(timer);
    timer = setTimeout(function () { submit(form); }, 350);
  });

  // Polite announcements: the same text twice in a row is still announced.
  function announce(text) {
    var region = document.getElementById('announcer');
    if (!region || !text) return;
    region.textContent = '';
    setTimeout(function () { region.textContent = text; }, 60);
  }

  // Focus across swaps. htmx puts focus back on an element with the same id; when the
  // focused element has no twin in the new content, focus goes to the new part itself.
  var focusedIn = null;
  document.addEventListener('htmx:beforeSwap', function (evt) {
    var target = evt.detail && evt.detail.target;
    var active = document.activeElement;
    focusedIn = target && target.id && active && active !== document.body && target.contains(active) ? target.id : null;
  });
  document.addEventListener('htmx:afterSettle', function (evt) {
    var part = evt.target;
    if (focusedIn) {
      var active = document.activeElement;
      if (!active || active === document.body) {
        var box = document.getElementById(focusedIn);
        var first = box && box.querySelector(FOCUSABLE);
        if (first) first.focus();
        else if (box) { box.setAttribute('tabindex', '-1'); box.focus(); }
      }
      focusedIn = null;
    }
    if (part && part.getAttribute && part.getAttribute('data-announce')) announce(part.getAttribute('data-announce'));
    prepare(document);
  });

  // Copy buttons.
  function copyText(text, from) {
    function fallback() {
      var range = document.createRange();
      range.selectNodeContents(from);
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      var ok = false;
      try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
      return ok;
    }
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(function () { return true; }, function () { return fallback(); });
    }
    return Promise.resolve(fallback());
  }
  document.addEventListener('click', function (evt) {
    var btn = evt.target && evt.target.closest && evt.target.closest('button[data-copy]');
    if (!btn) return;
    var from = document.getElementById(btn.getAttribute('data-copy'));
    if (!from) return;
    var label = btn.firstChild;
    copyText(from.textContent.replace(/\s+$/, ''), from).then(function (ok) {
      label.nodeValue = ok ? 'Copied' : 'Press Ctrl+C';
      announce(ok ? 'Copied to the clipboard' : 'Selected: press Ctrl+C or Cmd+C to copy');
      setTimeout(function () { label.nodeValue = 'Copy'; }, 2500);
    });
  });

  // What needs this script to be useful, set up on the page and on every swapped part.
  function prepare(root) {
    root.querySelectorAll('button[data-copy][hidden]').forEach(function (b) { b.hidden = false; });
    document.querySelectorAll(SCROLLERS).forEach(function (el) {
      var scrolls = el.scrollWidth > el.clientWidth + 1;
      var mine = el.hasAttribute('data-keyboard-scroll');
      if (scrolls && !el.hasAttribute('tabindex') && !el.querySelector(FOCUSABLE)) {
        el.setAttribute('tabindex', '0');
        el.setAttribute('data-keyboard-scroll', '');
      } else if (!scrolls && mine) {
        el.removeAttribute('tabindex');
        el.removeAttribute('data-keyboard-scroll');
      }
    });
  }
  var resizing = null;
  window.addEventListener('resize', function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () { prepare(document); }, 150);
  });
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', function () { prepare(document); });
  else prepare(document);
})();
