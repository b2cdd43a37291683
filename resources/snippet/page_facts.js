// Page facts for platform detection (desktop_app/tagger/platforms.py), run with
// page.evaluate(source, probe_inputs()). Reads names, URLs and markup hooks only: never form
// values or cookie values.
(inputs) => {
  const has = (path) => { try { return path.split('.').reduce((o, k) => o == null ? undefined : o[k], window) !== undefined; } catch (e) { return false; } };
  const matches = (css) => { try { return !!document.querySelector(css); } catch (e) { return false; } };
  const urls = [...document.querySelectorAll('script[src], link[href], img[src]')]
    .map(e => e.src || e.href).filter(Boolean).slice(0, 400);
  const pixelIds = new Set();
  for (const s of document.querySelectorAll('script:not([src])')) {
    for (const m of (s.textContent || '').matchAll(/fbq\(\s*['"]init['"]\s*,\s*['"]?(\d{5,20})/g)) pixelIds.add(m[1]);
  }
  try { (window.fbq && window.fbq.getState ? window.fbq.getState().pixels : []).forEach(p => pixelIds.add(String(p.id))); } catch (e) {}
  return {
    url: location.href,
    generator: [...document.querySelectorAll('meta[name=generator]')].map(m => m.content || ''),
    globals: inputs.globals.filter(has),
    selectors: inputs.selectors.filter(matches),
    scripts: urls,
    cookies: document.cookie ? document.cookie.split('; ').map(c => c.split('=')[0]) : [],
    html_head: document.documentElement.outerHTML.slice(0, 20000),
    pixel_ids: [...pixelIds],
  };
}
