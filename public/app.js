// TokenBoard's only script (the pages work without it; CSP allows scripts from 'self'
// only, so nothing inline). It makes the htmx-enhanced pages nicer:
//  - live parts ([data-live], polled by htmx every 3 s) pause while the tab is hidden
//    (the next tick after it is shown again refreshes them);
//  - filter forms ([data-autosubmit]) apply on change, and the search box while typing;
//  - empty filter fields are left out of the URL, so shared links stay short.
(function () {
  'use strict';

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
})();
