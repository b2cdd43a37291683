/*
 * PixelBridge offline stand-in for Meta's https://connect.facebook.net/en_US/fbevents.js
 *
 * Served in place of the real script (Playwright route) so that demos and tests run with no
 * internet. It speaks the same public API and sends the same kind of request as the real Pixel:
 *   fbq('init', id, {em, ph, ...})            advanced matching: only SHA-256 leaves the page
 *   fbq('track' | 'trackCustom', name, data, {eventID})
 *   fbq('trackSingle' | 'trackSingleCustom', id, name, data, {eventID})
 *   fbq('consent', 'revoke' | 'grant')        revoked: events are held, sent on grant
 *   fbq('set', 'agent' | 'autoConfig' | ..., value, id)
 *   fbq('dataProcessingOptions', ['LDU'], country, state)
 * Requests: https://www.facebook.com/tr/?id=&ev=&eid=&dl=&rl=&ts=&cd[..]=&ud[..]=&fbp=&fbc=&v=&ec=
 * as an Image GET when the URL is < 2048 chars, else a navigator.sendBeacon POST (rqm=SB).
 * Cookie formats: https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/fbp-and-fbc
 * Like the real Pixel it sends a PageView on history.pushState unless fbq.disablePushState.
 */
(function (w, d) {
  'use strict';
  var VERSION = '2.9.999-pixelbridge';
  var ENDPOINT = 'https://www.facebook.com/tr/';
  var COOKIE_AGE_S = 7776000; // 90 days, Meta's first-party cookie lifetime
  var base = w.fbq;
  if (base && base.__pixelbridgeStub) return;
  if (!base) {
    // Loaded without the base code: build the same queueing function the base code makes.
    base = function () {
      if (base.callMethod) base.callMethod.apply(base, arguments);
      else base.queue.push(arguments);
    };
    base.push = base;
    base.loaded = true;
    base.version = '2.0';
    base.queue = [];
    w.fbq = base;
    if (!w._fbq) w._fbq = base;
  }
  base.__pixelbridgeStub = true;

  var pixels = {}; // id -> {id, ud: {k: sha256}, ready: Promise|null, ec: n, agent, autoConfig}
  var order = []; // pixel ids in init order
  var consentGranted = true;
  var held = [];
  var dpo = null; // {options, country, state}
  var initTime = Date.now();

  function log(msg, err) {
    if (w.console && w.console.warn) w.console.warn('[fbevents stub] ' + msg, err || '');
  }

  // ---- cookies ---------------------------------------------------------------------------
  function readCookie(name) {
    var parts;
    try {
      parts = d.cookie ? d.cookie.split('; ') : [];
    } catch (e) {
      return null; // sandboxed frame without a cookie jar
    }
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf('=');
      if (parts[i].slice(0, eq) === name) return decodeURIComponent(parts[i].slice(eq + 1));
    }
    return null;
  }

  // The widest domain that accepts a cookie (the site's eTLD+1) and its subdomain index
  // (labels - 1); IPs and single-label hosts get no Domain attribute and index 0.
  function cookieDomain() {
    var host = w.location.hostname;
    if (!host || /^[\d.]+$/.test(host) || host.indexOf(':') >= 0 || host.indexOf('.') < 0) {
      return { domain: null, index: 0 };
    }
    var labels = host.split('.');
    for (var n = 2; n <= labels.length; n++) {
      var candidate = labels.slice(-n).join('.');
      d.cookie = '_fbp_probe=1; path=/; domain=.' + candidate + '; SameSite=Lax';
      if (readCookie('_fbp_probe') === '1') {
        d.cookie = '_fbp_probe=; path=/; domain=.' + candidate + '; max-age=0';
        return { domain: candidate, index: n - 1 };
      }
    }
    return { domain: null, index: labels.length - 1 };
  }

  function writeCookie(name, value, where) {
    var c = name + '=' + value + '; path=/; max-age=' + COOKIE_AGE_S + '; SameSite=Lax';
    if (where.domain) c += '; domain=.' + where.domain;
    if (w.location.protocol === 'https:') c += '; Secure';
    d.cookie = c;
  }

  function setupCookies() {
    var where = null;
    try {
      if (!readCookie('_fbp')) {
        where = cookieDomain();
        var rand = Math.floor(Math.random() * 2147483647);
        writeCookie('_fbp', 'fb.' + where.index + '.' + Date.now() + '.' + rand, where);
      }
      var fbclid = new URLSearchParams(w.location.search).get('fbclid');
      var fbc = readCookie('_fbc');
      // Rewrite _fbc only when missing or when a different click id arrives; case is kept.
      if (fbclid && (!fbc || fbc.slice(fbc.lastIndexOf('.') + 1) !== fbclid)) {
        where = where || cookieDomain();
        writeCookie('_fbc', 'fb.' + where.index + '.' + Date.now() + '.' + fbclid, where);
      }
    } catch (e) {
      log('cookies unavailable', e);
    }
  }

  // ---- advanced matching -----------------------------------------------------------------
  var NORMALIZE = {
    em: function (v) { return v.trim().toLowerCase(); },
    ph: function (v) { return v.replace(/\D/g, '').replace(/^0+/, ''); },
    fn: function (v) { return v.trim().toLowerCase().replace(/[\s.,'"`\-]/g, ''); },
    ln: function (v) { return v.trim().toLowerCase().replace(/[\s.,'"`\-]/g, ''); },
    ct: function (v) { return v.trim().toLowerCase().replace(/[\s.,'"`\-]/g, ''); },
    st: function (v) { return v.trim().toLowerCase().replace(/[\s.,'"`\-]/g, ''); },
    zp: function (v) { return v.trim().toLowerCase().replace(/\s/g, '').split('-')[0]; },
    country: function (v) { return v.trim().toLowerCase(); },
    ge: function (v) { return v.trim().toLowerCase().charAt(0); },
    db: function (v) { return v.replace(/\D/g, ''); },
    external_id: function (v) { return v.trim().toLowerCase(); }
  };

  function sha256(text) {
    var bytes = new TextEncoder().encode(text);
    return w.crypto.subtle.digest('SHA-256', bytes).then(function (buf) {
      return Array.prototype.map.call(new Uint8Array(buf), function (b) {
        return ('0' + b.toString(16)).slice(-2);
      }).join('');
    });
  }

  // Resolves to {key: sha256}; raw values never leave this function. Without a secure context
  // (no crypto.subtle) the values are dropped rather than sent raw.
  function hashUserData(raw) {
    var out = {};
    if (!raw || typeof raw !== 'object') return Promise.resolve(out);
    if (!(w.crypto && w.crypto.subtle)) return Promise.resolve(out);
    var jobs = Object.keys(raw).map(function (key) {
      var value = raw[key];
      if (value === null || value === undefined || value === '') return null;
      value = String(value);
      if (/^[a-f0-9]{64}$/i.test(value.trim())) {
        out[key] = value.trim().toLowerCase();
        return null;
      }
      var norm = (NORMALIZE[key] || NORMALIZE.external_id)(value);
      if (!norm) return null;
      return sha256(norm).then(function (h) { out[key] = h; });
    });
    return Promise.all(jobs).then(function () { return out; }, function () { return out; });
  }

  // ---- sending ---------------------------------------------------------------------------
  function addParam(params, key, value) {
    if (value === undefined || value === null) return;
    if (typeof value === 'object') value = JSON.stringify(value);
    params.push([key, String(value)]);
  }

  function buildParams(pixel, eventName, data, options, ec) {
    var p = [];
    addParam(p, 'id', pixel.id);
    addParam(p, 'ev', eventName);
    addParam(p, 'dl', w.location.href);
    addParam(p, 'rl', d.referrer);
    addParam(p, 'if', w.top !== w);
    addParam(p, 'ts', Date.now());
    addParam(p, 'sw', w.screen ? w.screen.width : 0);
    addParam(p, 'sh', w.screen ? w.screen.height : 0);
    addParam(p, 'v', VERSION);
    addParam(p, 'r', 'stable');
    addParam(p, 'a', pixel.agent);
    addParam(p, 'ec', ec);
    addParam(p, 'o', pixel.autoConfig === false ? 29 : 30);
    addParam(p, 'fbp', readCookie('_fbp'));
    addParam(p, 'fbc', readCookie('_fbc'));
    addParam(p, 'it', initTime);
    if (data && typeof data === 'object') {
      Object.keys(data).forEach(function (k) { addParam(p, 'cd[' + k + ']', data[k]); });
    }
    Object.keys(pixel.ud).forEach(function (k) { addParam(p, 'ud[' + k + ']', pixel.ud[k]); });
    if (options && options.eventID !== undefined && options.eventID !== null) {
      addParam(p, 'eid', options.eventID);
    }
    if (dpo) {
      addParam(p, 'dpo', dpo.options.join(','));
      if (dpo.country !== undefined) addParam(p, 'dpoco', dpo.country);
      if (dpo.state !== undefined) addParam(p, 'dpost', dpo.state);
    }
    return p;
  }

  function encode(params) {
    return params.map(function (kv) {
      return encodeURIComponent(kv[0]) + '=' + encodeURIComponent(kv[1]);
    }).join('&');
  }

  function transmit(params) {
    var getUrl = ENDPOINT + '?' + encode(params.concat([['rqm', 'GET']]));
    if (getUrl.length < 2048) {
      var img = new Image(1, 1);
      img.src = getUrl;
      w.__fbqStubPending = (w.__fbqStubPending || []).concat([img]).slice(-20);
      return;
    }
    var body = encode(params.concat([['rqm', 'SB']]));
    var sent = false;
    try {
      sent = !!(w.navigator.sendBeacon && w.navigator.sendBeacon(
        ENDPOINT,
        new Blob([body], { type: 'application/x-www-form-urlencoded' })
      ));
    } catch (e) {
      sent = false;
    }
    if (!sent) log('request too long and sendBeacon unavailable; dropped');
  }

  function send(pixel, eventName, data, options) {
    if (!consentGranted) {
      held.push([pixel, eventName, data, options]);
      return;
    }
    var ec = pixel.ec++;
    var go = function () { transmit(buildParams(pixel, eventName, data, options, ec)); };
    if (pixel.ready) pixel.ready.then(go);
    else go();
  }

  // ---- the API ---------------------------------------------------------------------------
  var STANDARD = /^(AddPaymentInfo|AddToCart|AddToWishlist|CompleteRegistration|Contact|CustomizeProduct|Donate|FindLocation|InitiateCheckout|Lead|PageView|Purchase|Schedule|Search|StartTrial|SubmitApplication|Subscribe|ViewContent)$/;

  var methods = {
    init: function (id, userData) {
      id = String(id);
      if (pixels[id]) {
        log('duplicate pixel id ' + id + ' ignored');
        return;
      }
      var pixel = { id: id, ud: {}, ready: null, ec: 0, agent: undefined, autoConfig: true };
      if (userData && typeof userData === 'object' && Object.keys(userData).length) {
        pixel.ready = hashUserData(userData).then(function (hashed) {
          pixel.ud = hashed;
          pixel.ready = null;
        });
      }
      pixels[id] = pixel;
      order.push(id);
    },
    track: function (name, data, options) {
      if (!STANDARD.test(name)) log('"' + name + '" is not a standard event; use trackCustom');
      order.forEach(function (id) { send(pixels[id], name, data, options); });
    },
    trackCustom: function (name, data, options) {
      order.forEach(function (id) { send(pixels[id], name, data, options); });
    },
    trackSingle: function (id, name, data, options) {
      if (pixels[String(id)]) send(pixels[String(id)], name, data, options);
      else log('trackSingle: pixel ' + id + ' not initialised');
    },
    trackSingleCustom: function (id, name, data, options) {
      methods.trackSingle(id, name, data, options);
    },
    consent: function (action) {
      consentGranted = action !== 'revoke';
      if (consentGranted) {
        var queue = held;
        held = [];
        queue.forEach(function (args) { send.apply(null, args); });
      }
    },
    set: function (key, value, id) {
      var targets = id ? [pixels[String(id)]] : order.map(function (k) { return pixels[k]; });
      targets.forEach(function (pixel) {
        if (!pixel) return;
        if (key === 'agent') pixel.agent = value;
        else if (key === 'autoConfig') pixel.autoConfig = !!value;
        else if (key === 'userData') {
          pixel.ready = hashUserData(value).then(function (hashed) {
            pixel.ud = hashed;
            pixel.ready = null;
          });
        }
      });
    },
    dataProcessingOptions: function (options, country, state) {
      dpo = { options: options || [], country: country, state: state };
    }
  };

  base.callMethod = function () {
    var args = Array.prototype.slice.call(arguments);
    var method = methods[args[0]];
    if (!method) {
      log('unknown method ' + args[0]);
      return;
    }
    try {
      method.apply(null, args.slice(1));
    } catch (e) {
      log('fbq(' + args[0] + ') failed', e);
    }
  };
  base.getState = function () {
    return { pixels: order.map(function (id) { return { id: id }; }), consentGranted: consentGranted };
  };

  // The real Pixel sends PageView on history.pushState (Meta's "Pixel for SPAs" note) unless
  // fbq.disablePushState is true; replaceState does not count.
  var lastUrl = w.location.href;
  var push = w.history.pushState;
  w.history.pushState = function () {
    var result = push.apply(this, arguments);
    try {
      if (!base.disablePushState && w.location.href !== lastUrl) {
        lastUrl = w.location.href;
        order.forEach(function (id) { send(pixels[id], 'PageView', {}, undefined); });
      }
    } catch (e) {
      log('pushState PageView failed', e);
    }
    return result;
  };

  setupCookies();
  var queued = base.queue ? base.queue.splice(0) : [];
  queued.forEach(function (args) { base.callMethod.apply(base, args); });
})(window, document);
