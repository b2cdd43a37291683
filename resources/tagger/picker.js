// PixelBridge pick mode: outlines what the pointer is on, says what it is, and on click reports
// it to Python through the `__pixelbridgePick` binding instead of letting the site act on it.
// Injected with add_init_script after locator.js; idle until `__pixelbridgePicker.start(mode)`.
(() => {
  "use strict";
  if (window.__pixelbridgePicker || !window.__pixelbridgeLocator) return;
  const L = window.__pixelbridgeLocator;

  // What each mode may point at, and how it retargets the raw element under the pointer.
  const MODES = {
    element: { hint: "Click the button, link or form to track", retarget: controlOf },
    value: { hint: "Click the price or total", retarget: valueOf },
    field: { hint: "Click the form field (email, phone, name…)", retarget: fieldOf },
    // Started inside a frame from another site: everything there is reported as untaggable.
    blocked: { hint: "", retarget: (path) => path.find((n) => n instanceof Element) || null },
  };
  // Everything a click can trigger on a site: swallowed while picking so nothing happens.
  const SWALLOWED = ["pointerdown", "pointerup", "mousedown", "mouseup", "click", "dblclick",
    "auxclick", "contextmenu", "submit", "touchstart", "touchend"];
  const ROLE_WORDS = { button: "Button", link: "Link", textbox: "Field", form: "Form",
    combobox: "Menu", checkbox: "Checkbox", heading: "Heading", searchbox: "Search field" };

  let mode = null;
  let sticky = false;  // false: one pick, then pick mode ends by itself
  let current = null;
  let host = null;
  let ui = null;

  // The meaningful control around the raw target, as Playwright retargets: inputs stay
  // themselves; anything inside a button/link/label/[role=button] becomes that control;
  // otherwise the topmost ancestor that shows a pointer cursor.
  function controlOf(path) {
    const elements = path.filter((n) => n instanceof Element && n.localName !== "pixelbridge-picker");
    if (!elements.length) return null;
    const raw = elements[0];
    if (["input", "select", "textarea"].includes(raw.localName)) return raw;
    const control = elements.slice(0, 8).find((n) => n.matches(L.CLICKABLE));
    if (control) return control;
    let pointer = null;
    for (const n of elements.slice(0, 6)) {
      if (getComputedStyle(n).cursor === "pointer") pointer = n; else if (pointer) break;
    }
    return pointer || raw;
  }

  function valueOf(path) {
    // The smallest element whose whole text is short and has a digit: "19,99 €", not the
    // product summary or a header that happens to contain a cart count.
    return path.find((n) => n instanceof Element && n.localName !== "pixelbridge-picker" &&
      /\d/.test(n.textContent || "") && (n.textContent || "").trim().length <= 40) || null;
  }

  function fieldOf(path) {
    return path.find((n) => n instanceof Element && ["input", "select", "textarea"].includes(n.localName)) || null;
  }

  function composedTarget(event) {
    return typeof event.composedPath === "function" ? event.composedPath() : [event.target];
  }

  function buildUi() {
    host = document.createElement("pixelbridge-picker");
    host.style.cssText = "all: initial; position: fixed; inset: 0; pointer-events: none; z-index: 2147483647;";
    const shadow = host.attachShadow({ mode: "closed" });
    shadow.innerHTML = `<style>
      .box { position: fixed; border: 2px solid #1877f2; background: rgba(24,119,242,.12);
             border-radius: 3px; pointer-events: none; display: none; box-sizing: border-box; }
      .label { position: fixed; background: #1c1e21; color: #fff; font: 12px/1.4 system-ui, sans-serif;
               padding: 3px 8px; border-radius: 4px; pointer-events: none; display: none; max-width: 420px;
               white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
      .label.blocked { background: #b3261e; white-space: normal; }
      .bar { position: fixed; top: 8px; left: 50%; transform: translateX(-50%); background: #1877f2;
             color: #fff; font: 13px/1.4 system-ui, sans-serif; padding: 6px 14px; border-radius: 16px;
             box-shadow: 0 2px 8px rgba(0,0,0,.25); pointer-events: none; }
    </style><div class="box"></div><div class="label"></div><div class="bar"></div>`;
    ui = { box: shadow.querySelector(".box"), label: shadow.querySelector(".label"), bar: shadow.querySelector(".bar") };
    (document.documentElement || document).appendChild(host);
  }

  function describe(el) {
    const role = L.roleOf(el);
    const word = ROLE_WORDS[role] || (el.localName === "iframe" ? "Embedded frame" : el.localName);
    const name = L.accessibleName(el);
    return name ? `${word} “${name.slice(0, 40)}”` : word;
  }

  // A frame from another site: its document is sealed off from this page's scripts.
  function crossOriginFrame(el) {
    if (el.localName !== "iframe" && el.localName !== "frame") return null;
    try {
      if (el.contentDocument) return null;
    } catch (_err) { /* cross-origin access throws in some browsers */ }
    let origin = "another site";
    try { origin = new URL(el.src, location.href).host || origin; } catch (_err) { /* keep default */ }
    return { origin, reason: `This part comes from ${origin} and cannot be tagged: the browser ` +
      "keeps another site's frame sealed off, so the snippet on your page cannot see clicks inside it. " +
      "Use that service's own Meta integration or its thank-you page instead." };
  }

  function thisFrameBlocked() {
    return { origin: location.host, reason: `This part comes from ${location.host} and cannot be ` +
      "tagged: the browser keeps another site's frame sealed off, so the snippet on your page " +
      "cannot see clicks inside it. Use that service's own Meta integration or its thank-you page instead." };
  }

  function show(el) {
    if (!ui) return;
    const r = el.getBoundingClientRect();
    Object.assign(ui.box.style, { display: "block", left: `${r.left}px`, top: `${r.top}px`,
      width: `${r.width}px`, height: `${r.height}px` });
    const blocked = mode === "blocked" ? thisFrameBlocked() : crossOriginFrame(el);
    const inForm = mode === "element" && el.localName !== "form" && el.closest && el.closest("form");
    ui.label.className = blocked ? "label blocked" : "label";
    ui.label.textContent = blocked ? blocked.reason
      : describe(el) + (inForm ? "  ·  Shift+click: the whole form" : "");
    const top = r.top > 28 ? r.top - 26 : r.bottom + 4;
    Object.assign(ui.label.style, { display: "block", left: `${Math.max(4, r.left)}px`, top: `${top}px` });
  }

  function onMove(event) {
    if (!mode) return;
    const target = MODES[mode].retarget(composedTarget(event));
    if (target && target !== current) { current = target; show(target); }
  }

  function report(target, event) {
    const blocked = mode === "blocked" ? thisFrameBlocked() : crossOriginFrame(target);
    const payload = blocked
      ? { mode, blocked, tag: target.localName, frame: null }
      : Object.assign(L.bundle(target), { mode });
    payload.url = location.href;
    payload.title = document.title;
    payload.at = Math.round(performance.now());
    payload.whole_form = event && event.shiftKey && target.localName === "form";
    const send = window.__pixelbridgePick;
    if (typeof send === "function") send(payload).catch(() => {});
  }

  function onSwallow(event) {
    if (!mode) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    if (event.type !== "click") return;
    let target = MODES[mode].retarget(composedTarget(event));
    if (!target) return;
    if (mode === "element" && event.shiftKey && target.closest && target.closest("form")) {
      target = target.closest("form");
    }
    report(target, event);
    if (!sticky) stop();
  }

  function onKey(event) {
    if (!mode) return;
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopImmediatePropagation();
      stop();
      const left = window.__pixelbridgePickerLeft;
      if (typeof left === "function") left().catch(() => {});
    }
  }

  function start(newMode, keepGoing) {
    if (!MODES[newMode]) throw new Error(`unknown pick mode ${newMode}`);
    mode = newMode;
    sticky = !!keepGoing;
    current = null;
    if (!host || !host.isConnected) buildUi();
    ui.bar.textContent = `${MODES[newMode].hint}  ·  Esc to stop`;
    ui.bar.style.display = window === window.top ? "block" : "none";
    return true;
  }

  function stop() {
    mode = null;
    current = null;
    if (host) host.remove();
    host = null;
    ui = null;
  }

  // Capture phase on window: runs before the site's own listeners (ours are added first).
  for (const type of SWALLOWED) window.addEventListener(type, onSwallow, true);
  window.addEventListener("mousemove", onMove, true);
  window.addEventListener("keydown", onKey, true);
  window.addEventListener("scroll", () => { if (mode && current) show(current); }, true);

  Object.defineProperty(window, "__pixelbridgePicker", {
    value: Object.freeze({ start, stop, active: () => mode }),
    enumerable: false,
  });
})();
