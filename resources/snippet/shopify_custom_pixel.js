// PixelBridge Custom Pixel for Shopify: paste into Settings → Customer events → Add custom pixel.
// Shopify's checkout cannot be tagged on the page, so Shopify's standard events (Web Pixels API,
// https://shopify.dev/docs/api/web-pixels-api/standard-events) are sent to the Meta Pixel and
// mirrored to the PixelBridge relay with the same event_id (order id for Purchase).
const PB = __PIXELBRIDGE_SHOPIFY__;
const META_EVENTS = {
  page_viewed: 'PageView',
  product_viewed: 'ViewContent',
  search_submitted: 'Search',
  product_added_to_cart: 'AddToCart',
  checkout_started: 'InitiateCheckout',
  payment_info_submitted: 'AddPaymentInfo',
  checkout_completed: 'Purchase',
};

(function (w, d) {
  if (w.fbq) return;
  const f = (w.fbq = function () {
    f.callMethod ? f.callMethod.apply(f, arguments) : f.queue.push(arguments);
  });
  w._fbq = w._fbq || f;
  f.push = f; f.loaded = true; f.version = '2.0'; f.queue = [];
  const s = d.createElement('script');
  s.async = true;
  s.src = 'https://connect.facebook.net/en_US/fbevents.js';
  (d.head || d.documentElement).appendChild(s);
})(window, document);
fbq('init', PB.pixel_id);

function money(m) {
  return m && m.amount !== undefined ? Number(m.amount) : undefined;
}

function customData(data) {
  const co = data.checkout;
  if (co) {
    const items = co.lineItems || [];
    return {
      value: money(co.totalPrice),
      currency: co.currencyCode || (co.totalPrice && co.totalPrice.currencyCode),
      order_id: co.order && co.order.id ? String(co.order.id) : undefined,
      content_ids: items.map((i) => String(i.variant && i.variant.product ? i.variant.product.id : i.id)),
      content_type: 'product',
      num_items: items.reduce((n, i) => n + (i.quantity || 0), 0),
    };
  }
  const line = data.cartLine;
  const variant = line ? line.merchandise : data.productVariant;
  if (variant) {
    const price = line ? line.cost && line.cost.totalAmount : variant.price;
    return {
      value: money(price),
      currency: price && price.currencyCode,
      content_ids: [String(variant.product ? variant.product.id : variant.id)],
      content_type: 'product',
    };
  }
  if (data.searchResult) return { search_string: data.searchResult.query };
  return {};
}

function userData(data) {
  const co = data.checkout;
  if (!co) return {};
  const a = co.billingAddress || co.shippingAddress || {};
  // Raw values go to the relay only (it normalizes and hashes); never into the Pixel request.
  return {
    em: co.email, ph: co.phone || a.phone, fn: a.firstName, ln: a.lastName,
    ct: a.city, st: a.provinceCode, zp: a.zip, country: a.countryCode,
  };
}

function clean(obj) {
  const out = {};
  Object.keys(obj).forEach((k) => {
    if (obj[k] !== undefined && obj[k] !== null && obj[k] !== '') out[k] = obj[k];
  });
  return out;
}

Object.keys(META_EVENTS).forEach((shopifyName) => {
  analytics.subscribe(shopifyName, async (event) => {
    try {
      const name = META_EVENTS[shopifyName];
      const data = event.data || {};
      const custom = clean(customData(data));
      const eventId = name === 'Purchase' && custom.order_id ? custom.order_id : String(event.id);
      const pixelData = Object.assign({}, custom);
      fbq('trackSingle', PB.pixel_id, name, pixelData, { eventID: eventId });
      if (name === 'PageView') return; // PageView stays with the Pixel, as on the site
      const fbp = await browser.cookie.get('_fbp');
      const fbc = await browser.cookie.get('_fbc');
      const ctx = (event.context && event.context.document) || {};
      const body = {
        event_name: name,
        event_id: eventId,
        event_time: Math.floor(new Date(event.timestamp || Date.now()).getTime() / 1000),
        event_source_url: ctx.location ? ctx.location.href : undefined,
        referrer_url: ctx.referrer || undefined,
        action_source: 'website',
        custom_data: custom,
        user_data: clean(userData(data)),
        fbp: fbp || undefined,
        fbc: fbc || undefined,
        pixel_id: PB.pixel_id,
      };
      const text = JSON.stringify(body);
      fetch(PB.relay_url, {
        method: 'POST', body: text, keepalive: true, mode: 'no-cors', credentials: 'omit',
        headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
      }).catch(() => {
        setTimeout(() => fetch(PB.relay_url, { method: 'POST', body: text, mode: 'no-cors' }), 1000);
      });
    } catch (e) {
      console.warn('[PixelBridge] ' + shopifyName + ' not sent', e);
    }
  });
});
