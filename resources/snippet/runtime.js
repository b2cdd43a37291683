/*
 * PixelBridge site runtime: fires the tag rules on the Meta Pixel and mirrors every event to the
 * PixelBridge relay with the same event_id, so Meta counts each conversion once.
 * Dedup key = event_name + event_id, shared by both channels:
 * https://developers.facebook.com/docs/marketing-api/conversions-api/deduplicate-pixel-and-server-events
 * Plain JS, no build step. snippet.py replaces __PIXELBRIDGE_CONFIG__ and strips comments.
 * Page API: window.pixelbridge.consent('grant'|'revoke'), .ldu(country, state),
 * .track(event, data, eventId), .fired, .diagnostics.
 */
(function (w, d, cfg) {
  if (!cfg || (w.pixelbridge && w.pixelbridge.v)) return; // a second copy of the snippet
  var opt = cfg.options || {};
  var PID = String(cfg.pixel_id);
  var rules = cfg.rules || [];
  var api = { v: 1, fired: [], diagnostics: [] };
  w.pixelbridge = api;
  var consent = opt.consent !== 'required';
  var held = [];
  var ldu = null;
  var settled = false;
  var waiting = [];
  var lastFire = {};
  var gesture = null;
  var pvHref = null;

  // ---- guards and diagnostics ----------------------------------------------------------
  function report(rule, err) {
    var item = { rule: rule ? rule.id : null, error: String(err && err.message || err), url: w.location.href };
    if (api.diagnostics.length > 9) return;
    api.diagnostics.push(item);
    if (rule) rule.broken = true;
    post(String(cfg.relay_url).replace(/events\/?$/, 'diagnostics'), { pixel_id: PID, diagnostic: item }, 0);
  }
  function guard(fn) {
    return function () {
      try { return fn.apply(this, arguments); } catch (e) { try { report(null, e); } catch (x) { /* never throw */ } }
    };
  }
  function safe(fn, fallback) { try { return fn(); } catch (e) { return fallback; } }

  // ---- storage and cookies -------------------------------------------------------------
  function store(kind, key, value) {
    return safe(function () {
      var s = w[kind];
      if (value === undefined) return JSON.parse(s.getItem(key) || 'null');
      s.setItem(key, JSON.stringify(value));
    }, null);
  }
  // Cookies can throw (sandboxed iframes, blocked storage): never let that stop the runtime.
  function cookie(name) {
    return safe(function () {
      var m = ('; ' + d.cookie).split('; ' + name + '=');
      return m.length > 1 ? decodeURIComponent(m.pop().split(';')[0]) : null;
    }, null);
  }
  // Meta's cookie format fb.{subdomainIndex}.{creationMs}.{value}, on the widest domain that
  // accepts it (eTLD+1): https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/fbp-and-fbc
  function setFbCookie(name, value) {
    var host = w.location.hostname, labels = host.split('.'), dom = '', idx = 0;
    if (labels.length > 1 && !/^[\d.]+$/.test(host)) {
      for (var n = 2; n <= labels.length; n++) {
        dom = labels.slice(-n).join('.');
        d.cookie = '_pb_t=1;path=/;domain=.' + dom;
        if (cookie('_pb_t')) { d.cookie = '_pb_t=;path=/;max-age=0;domain=.' + dom; idx = n - 1; break; }
        dom = '';
      }
    }
    var v = 'fb.' + idx + '.' + Date.now() + '.' + value;
    d.cookie = name + '=' + v + ';path=/;max-age=7776000;SameSite=Lax' + (dom ? ';domain=.' + dom : '');
    return v;
  }
  function clickCookie() {
    var id = new URLSearchParams(w.location.search).get('fbclid');
    var fbc = cookie('_fbc');
    // Case of the fbclid is kept; rewrite only when missing or a new click id arrives.
    if (id && (!fbc || fbc.slice(fbc.lastIndexOf('.') + 1) !== id)) safe(function () { setFbCookie('_fbc', id); });
  }

  // ---- the Pixel -----------------------------------------------------------------------
  function settle() {
    if (settled) return;
    settled = true;
    // The Pixel writes _fbp; when it is blocked we build it, so the server copy still matches.
    if (!cookie('_fbp')) safe(function () { setFbCookie('_fbp', Math.floor(Math.random() * 2147483647)); });
    waiting.splice(0).forEach(function (fn) { fn(); });
  }
  function loadPixel() {
    var f = w.fbq, ours = !f;
    if (ours) {
      f = w.fbq = function () {
        var a = adopt(arguments);
        if (a) f.callMethod ? f.callMethod.apply(f, a) : f.queue.push(a);
      };
      if (!w._fbq) w._fbq = f;
      f.push = f; f.loaded = true; f.version = '2.0'; f.queue = [];
      var s = d.createElement('script');
      s.async = true;
      s.src = opt.fbevents_url || 'https://connect.facebook.net/en_US/fbevents.js';
      s.onload = s.onerror = function () { setTimeout(settle, 0); };
      (d.head || d.documentElement).appendChild(s);
    }
    // Never init or PageView our pixel twice when the site's own base code already did.
    var known = safe(function () { return f.getState().pixels.some(function (p) { return p.id === PID; }); }, false) ||
      safe(function () { return [].some.call(f.queue, function (a) { return a[0] === 'init' && String(a[1]) === PID; }); }, false);
    if (!consent) f('consent', 'revoke');
    if (opt.ldu) lduOn(opt.ldu.country, opt.ldu.state);
    if (opt.auto_config === false) f('set', 'autoConfig', false, PID);
    if (!known) {
      f('init', PID);
      f('trackSingle', PID, 'PageView');
      pvHref = w.location.href;
    }
    var tries = 0;
    (function poll() {
      if (settled) return;
      if (w.fbq && w.fbq.callMethod || ++tries > 40) return settle();
      setTimeout(poll, 50);
    })();
  }
  // The platform's own track calls (webflow.js sends AddToCart and Purchase) get an eventID and
  // a relay copy, so they deduplicate too. Calls with an eventID (ours included) are untouched.
  function adopt(a) {
    return safe(function () {
      var name = a[1], o = a[3];
      // A second base code pasted after ours would send this page's PageView again.
      if (a[0] === 'track' && name === 'PageView') return pvHref === w.location.href ? null : a;
      if (!/^track(Custom)?$/.test(a[0]) || o && o.eventID || !consent || opt.adopt_native === false) return a;
      var id = newId(), data = a[2] || {};
      mirror(name, id, data);
      api.fired.push({ event: name, event_id: id, native: true });
      return [a[0], name, data, Object.assign({}, o, { eventID: id })];
    }, a);
  }
  function lduOn(country, state) {
    ldu = { c: country || 0, s: state || 0 };
    w.fbq('dataProcessingOptions', ['LDU'], ldu.c, ldu.s);
  }

  // ---- the relay mirror ----------------------------------------------------------------
  function post(url, body, retries) {
    var text = JSON.stringify(body);
    if (!w.fetch) return w.navigator.sendBeacon && w.navigator.sendBeacon(url, text);
    // text/plain + no-cors: a simple request (no preflight), keepalive survives navigation.
    w.fetch(url, { method: 'POST', body: text, keepalive: true, mode: 'no-cors', credentials: 'omit',
      headers: { 'Content-Type': 'text/plain;charset=UTF-8' } })
      .catch(function () {
        if (retries > 0) setTimeout(function () { post(url, body, retries - 1); }, 1000);
        else if (w.navigator.sendBeacon) w.navigator.sendBeacon(url, text);
      });
  }
  function mirror(name, id, data) {
    var ud = store('sessionStorage', 'pb_ud') || {};
    var body = {
      event_name: name, event_id: id, event_time: Math.floor(Date.now() / 1000),
      event_source_url: w.location.href, referrer_url: d.referrer || undefined,
      action_source: 'website', custom_data: data, user_data: ud, pixel_id: PID
    };
    function go() {
      body.fbp = cookie('_fbp') || undefined;
      body.fbc = cookie('_fbc') || undefined;
      if (ldu) {
        body.data_processing_options = ['LDU'];
        body.data_processing_options_country = ldu.c;
        body.data_processing_options_state = ldu.s;
      }
      post(cfg.relay_url, body, 1);
    }
    settled ? go() : waiting.push(go);
  }
  // Custom event names go through trackSingleCustom (snippet.py marks them `custom`).
  function send(name, data, id, custom) {
    if (!consent) { held.push([name, data, id, custom]); return; }
    w.fbq(custom ? 'trackSingleCustom' : 'trackSingle', PID, name, data, { eventID: id });
    mirror(name, id, data);
    api.fired.push({ event: name, event_id: id });
  }
  function newId() {
    return w.crypto && w.crypto.randomUUID ? w.crypto.randomUUID()
      : Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 12);
  }

  // ---- values --------------------------------------------------------------------------
  var SYMBOLS = { '€': 'EUR', '£': 'GBP', '¥': 'JPY', '₹': 'INR', '₩': 'KRW', 'zł': 'PLN', 'R$': 'BRL', 'CHF': 'CHF' };
  // "1.234,56 €" → 1234.56, "$1,234" → 1234: the last separator is decimal only when 1-2 digits follow.
  function price(text) {
    var m = String(text).replace(/[\s\u00a0']/g, '').match(/-?\d[\d.,]*/);
    if (!m) return undefined;
    var s = m[0].replace(/[.,]$/, ''), i = Math.max(s.lastIndexOf('.'), s.lastIndexOf(','));
    if (i >= 0 && s.length - i - 1 <= 2) s = s.slice(0, i).replace(/[.,]/g, '') + '.' + s.slice(i + 1);
    else s = s.replace(/[.,]/g, '');
    var n = parseFloat(s);
    return isNaN(n) ? undefined : n;
  }
  function currencyOf(text) {
    var m = String(text).match(/\b[A-Z]{3}\b/);
    if (m) return m[0];
    for (var k in SYMBOLS) if (String(text).indexOf(k) >= 0) return SYMBOLS[k];
    return /\$/.test(text) ? opt.currency || 'USD' : undefined;
  }
  var sd = {};
  // Product data from JSON-LD / microdata / Open Graph, read once per URL.
  function structured(key) {
    if (sd.h === w.location.href) return sd.o[key];
    var out = {};
    [].forEach.call(d.querySelectorAll('script[type="application/ld+json"]'), function (s) {
      var items = [safe(function () { return JSON.parse(s.textContent); }, null)];
      while (items.length) {
        var it = items.shift();
        if (!it || typeof it !== 'object') continue;
        if (Array.isArray(it)) { items = items.concat(it); continue; }
        if (it['@graph']) items = items.concat(it['@graph']);
        if (/Product/.test(it['@type']) && out.price === undefined) {
          var o = [].concat(it.offers || [])[0] || {};
          out = { price: o.price || o.lowPrice, currency: o.priceCurrency, name: it.name, id: it.sku || it.productID };
        }
      }
    });
    var meta = function (sel) { var e = d.querySelector(sel); return e && (e.getAttribute('content') || e.textContent); };
    if (out.price === undefined) out.price = meta('[itemprop=price]') || meta('meta[property$="price:amount"]');
    if (!out.currency) out.currency = meta('[itemprop=priceCurrency]') || meta('meta[property$="price:currency"]');
    sd = { h: w.location.href, o: out };
    return out[key];
  }
  function read(src, el) {
    if (src === null || typeof src !== 'object') return src;
    if ('value' in src) return src.value;
    if (src.selector) {
      var e = d.querySelector(src.selector);
      if (src.closest && el) e = el.closest(src.closest) && el.closest(src.closest).querySelector(src.selector) || e;
      return e ? (src.attr ? e.getAttribute(src.attr) : e.textContent.trim()) : undefined;
    }
    if (src.url) { var m = new RegExp(src.url).exec(w.location.href); return m ? m[1] || m[0] : undefined; }
    if (src.query) return new URLSearchParams(w.location.search).get(src.query) || undefined;
    if (src.structured) return structured(src.structured);
    if (src.global) return src.global.split('.').reduce(function (o, k) { return o == null ? o : o[k]; }, w);
  }
  function params(rule, el) {
    var p = rule.params || {}, data = {}, raw;
    Object.keys(p).forEach(function (k) {
      var v = read(p[k], el);
      if (v === undefined || v === null || v === '') return;
      if (k === 'value') { raw = v; v = typeof v === 'number' ? v : price(v); }
      if (k === 'content_ids' && !Array.isArray(v)) v = [String(v)];
      if (k === 'num_items') v = parseInt(v, 10);
      if (v !== undefined) data[k] = v;
    });
    if (data.value !== undefined && !data.currency) {
      var c = currencyOf(raw) || opt.currency;
      if (c) data.currency = c;
    }
    return data;
  }

  // ---- firing --------------------------------------------------------------------------
  function fire(rule, el) {
    var now = Date.now(), last = lastFire[rule.id];
    // The same element again within 1.5 s is one gesture (a double tap, a bubbling re-click).
    if (el && last && last.el === el && now - last.t < 1500) return true;
    var data = params(rule, el);
    var order = data.order_id || (rule.event_id ? read(rule.event_id, el) : undefined);
    var id = order !== undefined ? String(order) : newId();
    if (rule.event === 'Purchase' || rule.once) {
      // One Purchase per order, also across reloads of the thank-you page.
      var key = rule.event + '|' + (order !== undefined ? order : w.location.pathname + w.location.search);
      var seen = store('localStorage', 'pb_seen') || [];
      if (seen.indexOf(key) >= 0) return true;
      store('localStorage', 'pb_seen', seen.concat([key]).slice(-50));
    }
    lastFire[rule.id] = { el: el, t: now };
    send(rule.event, data, id, rule.custom);
    return true;
  }
  function urlOk(rule) {
    var u = rule.url;
    if (!u || !u.value) return true;
    var path = w.location.pathname.replace(/\/+$/, '') || '/';
    var v = String(u.value);
    switch (u.match) {
      case 'equals': return path === (v.replace(/\/+$/, '') || '/');
      case 'prefix': return path.indexOf(v) === 0;
      case 'regex': return new RegExp(v).test(w.location.href);
      default: return w.location.href.indexOf(v) >= 0;
    }
  }
  function each(type, fn) {
    for (var i = 0; i < rules.length; i++) {
      var r = rules[i];
      if (r.broken || !r.trigger || r.trigger.type !== type || r.enabled === false) continue;
      try { if (urlOk(r) && fn(r)) return true; } catch (e) { report(r, e); }
    }
    return false;
  }
  function pathOf(e) {
    var p = e.composedPath ? e.composedPath() : [];
    if (!p.length) for (var n = e.target; n; n = n.parentNode) p.push(n);
    return p.filter(function (n) { return n.nodeType === 1; }).slice(0, 10);
  }
  function norm(t) { return String(t || '').replace(/\s+/g, ' ').trim().toLowerCase(); }
  // Selectors in order against the target and its ancestors; `text` only when no selector
  // matches anything on the page.
  function hit(rule, path) {
    var sels = rule.trigger.selectors || [], any = false;
    for (var i = 0; i < sels.length; i++) {
      for (var j = 0; j < path.length; j++) if (path[j].matches(sels[i])) return path[j];
      any = any || !!d.querySelector(sels[i]);
    }
    if (rule.trigger.text && !any) {
      var want = norm(rule.trigger.text);
      for (var k = 0; k < path.length && k < 4; k++) {
        var t = norm(path[k].innerText || path[k].value);
        if (t && (t === want || t.indexOf(want) === 0)) return path[k];
      }
    }
    return null;
  }

  // ---- customer data (relay only, never in the Pixel query) ----------------------------
  var FIELDS = [
    ['em', /mail/i, /^email$/], ['ph', /phone|tel|mobile/i, /^tel/],
    ['fn', /first|given|fname/i, /^given-name$/], ['ln', /last|family|surname|lname/i, /^family-name$/],
    ['ct', /city|town/i, /level2$/], ['st', /state|province|region/i, /level1$/],
    ['zp', /zip|postal|postcode/i, /^postal-code$/], ['country', /country/i, /^country/]
  ];
  var UF = { email: 'em', phone: 'ph', first_name: 'fn', last_name: 'ln', zip: 'zp', city: 'ct', country: 'country', name: 'fn' };
  function capture(form) {
    if (opt.capture_user_data === false || !form || !form.elements) return;
    var ud = store('sessionStorage', 'pb_ud') || {};
    [].forEach.call(form.elements, function (f) {
      if (!f.name && !f.id || !f.value || /password|hidden|submit|button|checkbox|radio/.test(f.type)) return;
      var hint = (f.name || '') + ' ' + (f.id || '') + ' ' + (f.type || '');
      for (var i = 0; i < FIELDS.length; i++) {
        var ac = f.getAttribute('autocomplete') || '';
        if (FIELDS[i][2].test(ac) || FIELDS[i][1].test(hint)) { ud[FIELDS[i][0]] = f.value.trim(); break; }
      }
    });
    // Fields the owner pointed at in the tagger (rule.user_fields) win over the guesses.
    rules.forEach(function (r) {
      Object.keys(r.user_fields || {}).forEach(function (k) {
        var f = safe(function () { return form.querySelector(r.user_fields[k]); }, null), v = f && f.value && f.value.trim();
        if (!v || !UF[k]) return;
        ud[UF[k]] = k === 'name' ? v.split(' ')[0] : v; // a full name: its first word
      });
    });
    store('sessionStorage', 'pb_ud', ud);
  }

  // ---- triggers ------------------------------------------------------------------------
  function onClick(e) {
    if (e.detail > 1) return; // the 2nd click of a double click: the 1st one counted
    var path = pathOf(e);
    each('click', function (r) {
      var el = hit(r, path);
      if (!el) return false;
      gesture = { t: Date.now(), el: el };
      return fire(r, el);
    });
  }
  function onSubmit(e) {
    var form = pathOf(e)[0];
    capture(form);
    // A click rule on the submit button and the submit it causes are one gesture.
    if (gesture && Date.now() - gesture.t < 1000 && form.contains(gesture.el)) return;
    each('submit', function (r) {
      var el = hit(r, [form]);
      if (!el) return false;
      var ok = r.trigger.success;
      if (ok && ok.selector) return watchSuccess(r, el, ok.selector), true;
      return fire(r, el);
    });
  }
  function shown(el) { return el.checkVisibility ? el.checkVisibility() : !!el.offsetParent; }
  // Fire when the success element shows (checked on every DOM change, for up to 15 s).
  function watchSuccess(rule, el, sel) {
    var mo = new MutationObserver(guard(look));
    function look() {
      var done = d.querySelector(sel);
      if (!done || !shown(done)) return;
      mo.disconnect();
      fire(rule, el);
    }
    mo.observe(d.documentElement, { attributes: true, childList: true, subtree: true, characterData: true });
    setTimeout(function () { mo.disconnect(); }, 15000);
    look();
  }
  var seenVisible = {};
  var io = w.IntersectionObserver && new IntersectionObserver(guard(function (entries) {
    entries.forEach(function (en) {
      // Half the element in view; for elements taller than the screen, half the screen.
      if (!en.isIntersecting || en.intersectionRatio < 0.5 && en.intersectionRect.height < w.innerHeight / 2) return;
      each('visible', function (r) {
        if (seenVisible[r.id] || !hit(r, [en.target])) return false;
        seenVisible[r.id] = 1;
        return fire(r, en.target);
      });
    });
  }), { threshold: [0, 0.1, 0.25, 0.5] });
  var watched = typeof WeakSet === 'function' ? new WeakSet() : null;
  var scanTimer = 0;
  function scan() {
    scanTimer = 0;
    if (!io || !watched) return;
    each('visible', function (r) {
      (r.trigger.selectors || []).forEach(function (s) {
        [].forEach.call(d.querySelectorAll(s), function (el) { if (!watched.has(el)) { watched.add(el); io.observe(el); } });
      });
      return false;
    });
  }
  var lastHref = null;
  function onPage() {
    if (w.location.href === lastHref) return;
    lastHref = w.location.href;
    seenVisible = {};
    clickCookie();
    // PageView stays with the base pixel (it also sends one on pushState); we fire the rest.
    // A pageview rule with selectors fires only on pages that have one of those elements.
    each('pageview', function (r) {
      var sels = r.trigger.selectors || [];
      if (!sels.length || sels.some(function (s) { return d.querySelector(s); })) fire(r, null);
      return false;
    });
    scan();
  }
  function onHistory() { setTimeout(guard(onPage), 30); }

  // ---- start ---------------------------------------------------------------------------
  api.consent = guard(function (action) {
    consent = action !== 'revoke' && action !== false;
    if (!w.fbq) return;
    w.fbq('consent', consent ? 'grant' : 'revoke');
    if (consent) held.splice(0).forEach(function (a) { send(a[0], a[1], a[2], a[3]); });
  });
  api.ldu = guard(lduOn);
  api.track = guard(function (name, data, id, custom) { send(name, data || {}, id || newId(), custom); });
  guard(function () {
    clickCookie();
    loadPixel();
    ['pushState', 'replaceState'].forEach(function (m) {
      var orig = w.history[m];
      w.history[m] = function () { var r = orig.apply(this, arguments); onHistory(); return r; };
    });
    w.addEventListener('popstate', guard(onHistory));
    w.addEventListener('hashchange', guard(onHistory));
    d.addEventListener('click', guard(onClick), true);
    d.addEventListener('submit', guard(onSubmit), true);
    (rules.filter(function (r) { return r.trigger && r.trigger.type === 'event'; })).forEach(function (r) {
      var h = guard(function (e) { if (urlOk(r)) fire(r, e && e.target && e.target.nodeType === 1 ? e.target : null); });
      d.addEventListener(r.trigger.name, h, true);
      if (w.jQuery) w.jQuery(d.body || d).on(r.trigger.name, h); // jQuery-only events (WooCommerce)
    });
    // Watching the DOM costs on big pages: only when a rule waits for elements to show.
    if (io && rules.some(function (r) { return r.trigger && r.trigger.type === 'visible'; })) new MutationObserver(function () { scanTimer = scanTimer || setTimeout(guard(scan), 200); })
      .observe(d.documentElement, { childList: true, subtree: true });
    if (d.readyState === 'loading') d.addEventListener('DOMContentLoaded', guard(onPage));
    else onPage();
  })();
})(window, document, __PIXELBRIDGE_CONFIG__);
