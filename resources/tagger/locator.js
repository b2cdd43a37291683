// PixelBridge locator: in-page candidate selectors for one element, plus match counting and a
// fingerprint scan for rule repair. Injected with add_init_script (before picker.js) or
// evaluated on demand by `pixelbridge locate`. Ranking happens in Python
// (desktop_app/tagger/locators.py); this file only proposes candidates and keeps those that are
// unique in the element's own document or shadow root and resolve to that element.
(() => {
  "use strict";
  if (window.__pixelbridgeLocator) return;

  // Attributes written for tests or analytics: the most stable hooks a site can offer.
  const TEST_ID_ATTRS = ["data-testid", "data-test-id", "data-test", "data-qa", "data-cy", "data-attr"];
  // Platform semantic hooks (Webflow, ClickFunnels, WooCommerce, Framer...).
  const PLATFORM_ATTRS = ["data-node-type", "data-de-type", "data-name", "data-framer-name",
    "data-product_id", "data-action"];
  // Class names produced by build tools: change on every deploy, never use them.
  const GENERATED_CLASS = [/^framer-/i, /^css-/, /^sc-/, /^jsx-/, /^svelte-/, /^emotion-/,
    /^w-/, /__[A-Za-z0-9_-]{4,}$/, /^_[A-Za-z0-9]{5,}$/, /^ng-/, /^is-/, /^has-/, /hover|focus|active|selected|open$/i];
  const CLICKABLE = "a[href], button, input, select, textarea, summary, label, [role=button], " +
    "[role=link], [role=checkbox], [role=radio], [role=menuitem], [role=tab], [onclick]";
  const IMPLICIT_ROLE = {
    a: (el) => (el.hasAttribute("href") ? "link" : null), button: () => "button",
    select: () => "combobox", textarea: () => "textbox", form: () => "form", img: () => "img",
    h1: () => "heading", h2: () => "heading", h3: () => "heading", nav: () => "navigation",
    summary: () => "button", option: () => "option", li: () => "listitem",
    input: (el) => ({ submit: "button", button: "button", reset: "button", image: "button",
      checkbox: "checkbox", radio: "radio", search: "searchbox", range: "slider",
      number: "spinbutton" })[(el.getAttribute("type") || "text").toLowerCase()] || "textbox",
  };
  const PATH_DEPTH = 6;

  const esc = (s) => (window.CSS && CSS.escape ? CSS.escape(s) : s.replace(/[^\w-]/g, "\\$&"));
  const quote = (s) => '"' + String(s).replace(/\\/g, "\\\\").replace(/"/g, '\\"') + '"';
  const clean = (s) => String(s || "").replace(/\s+/g, " ").trim();

  function cut(text, max) {
    if (text.length <= max) return text;
    const head = text.slice(0, max);
    const space = head.lastIndexOf(" ");
    return space > max / 2 ? head.slice(0, space) : head;
  }

  // Playwright's isGuidLike idea: ids whose character class keeps switching are generated.
  // Separators do not count, and Upper→lower is just camelCase.
  function guidLike(id) {
    let switches = 0, last = null;
    for (const ch of id) {
      if (ch === "-" || ch === "_") continue;
      const kind = /[a-z]/.test(ch) ? "l" : /[A-Z]/.test(ch) ? "u" : /[0-9]/.test(ch) ? "d" : "o";
      if (last !== null && kind !== last && !(last === "u" && kind === "l")) switches += 1;
      last = kind;
    }
    return switches >= id.length / 4;
  }

  // A readable word-ish name: no hash-like runs, no long digit runs.
  function wordLike(name) {
    if (!/^[A-Za-z][A-Za-z0-9_-]{1,60}$/.test(name)) return false;
    if (/[bcdfghjklmnpqrstvwxz]{5,}/i.test(name) || /\d{5,}/.test(name)) return false;
    const parts = name.split(/[-_]+|(?=[A-Z][a-z])/).filter(Boolean);
    return parts.every((p) => /^[A-Za-z]{2,}$/.test(p) || /^\d{1,4}$/.test(p) || p.length <= 2);
  }

  const readableId = (id) => !!id && wordLike(id) && !guidLike(id);
  const stableClasses = (el) => Array.from(el.classList || [])
    .filter((c) => wordLike(c) && !GENERATED_CLASS.some((re) => re.test(c)))
    .slice(0, 4);

  function rootOf(el) { return el.getRootNode ? el.getRootNode() : el.ownerDocument; }

  function resolvesUniquely(root, css, el) {
    try {
      const found = root.querySelectorAll(css);
      return found.length === 1 && found[0] === el;
    } catch (_err) {
      return false;
    }
  }

  function roleOf(el) {
    const explicit = el.getAttribute("role");
    if (explicit) return explicit.split(" ")[0];
    const implicit = IMPLICIT_ROLE[el.localName];
    return implicit ? implicit(el) : null;
  }

  function textOf(el) {
    if (el.localName === "input") {
      const type = (el.getAttribute("type") || "text").toLowerCase();
      // Only button-like inputs: the value of a text field is customer data, never read it.
      return ["submit", "button", "reset"].includes(type) ? clean(el.value) : "";
    }
    if (el.localName === "textarea" || el.localName === "select") return "";
    const raw = typeof el.innerText === "string" && el.isConnected ? el.innerText : el.textContent;
    return cut(clean(raw), 80);
  }

  function labelTextOf(el) {
    const root = rootOf(el);
    if (el.id && root.querySelector) {
      const label = root.querySelector(`label[for=${quote(el.id)}]`);
      if (label) return clean(label.textContent);
    }
    const wrapping = el.closest && el.closest("label");
    return wrapping ? clean(wrapping.textContent) : "";
  }

  function accessibleName(el) {
    const aria = el.getAttribute("aria-label");
    if (aria) return clean(aria);
    const labelledby = el.getAttribute("aria-labelledby");
    if (labelledby) {
      const root = rootOf(el);
      const text = labelledby.split(/\s+/).map((id) => root.getElementById
        ? clean((root.getElementById(id) || {}).textContent) : "").join(" ");
      if (clean(text)) return cut(clean(text), 80);
    }
    if (["input", "select", "textarea"].includes(el.localName)) {
      const label = labelTextOf(el);
      if (label) return cut(label, 80);
    }
    const text = textOf(el);
    if (text) return text;
    const img = el.querySelector && el.querySelector("img[alt]");
    return clean((img && img.getAttribute("alt")) || el.getAttribute("title") ||
      el.getAttribute("placeholder") || "");
  }

  // Simple selectors that describe this element alone, best first: [{kind, css}].
  function tokens(el) {
    const tag = el.localName;
    const out = [];
    for (const attr of TEST_ID_ATTRS) {
      const v = el.getAttribute(attr);
      if (v) out.push({ kind: "testid", css: `[${attr}=${quote(v)}]` });
    }
    if (readableId(el.id)) out.push({ kind: "id", css: `#${esc(el.id)}` });
    for (const attr of PLATFORM_ATTRS) {
      const v = el.getAttribute(attr);
      if (v && !guidLike(v)) out.push({ kind: "platform", css: `${tag}[${attr}=${quote(v)}]` });
    }
    const name = el.getAttribute("name");
    if (name && !guidLike(name)) {
      out.push({ kind: "name", css: `${tag}[name=${quote(name)}]` });
      const value = el.getAttribute("value");
      if (value && tag === "button" && value.length < 40) {
        out.push({ kind: "name", css: `${tag}[name=${quote(name)}][value=${quote(value)}]` });
      }
    }
    if (tag === "form" && el.getAttribute("action")) {
      const action = el.getAttribute("action");
      const path = action.split(/[?#]/)[0];
      const op = path === action ? "$=" : "*=";  // a query string follows the path
      if (path) out.push({ kind: "form-action", css: `form[action${op}${quote(path)}]` });
    }
    const aria = el.getAttribute("aria-label");
    if (aria && aria.length < 80) out.push({ kind: "aria", css: `${tag}[aria-label=${quote(aria)}]` });
    if (tag === "a" && el.getAttribute("href")) {
      const href = el.getAttribute("href");
      const path = href.split(/[?#]/)[0];
      if (path && !/^(javascript:|#)/i.test(href)) {
        out.push({ kind: "href", css: path === href ? `a[href=${quote(href)}]` : `a[href^=${quote(path)}]` });
      }
    }
    const classes = stableClasses(el);
    for (const c of classes) out.push({ kind: "class", css: `${tag}.${esc(c)}` });
    if (classes.length > 1) out.push({ kind: "class", css: `${tag}.${classes.map(esc).join(".")}` });
    const type = el.getAttribute("type");
    if (type && ["button", "input"].includes(tag)) out.push({ kind: "type", css: `${tag}[type=${quote(type)}]` });
    out.push({ kind: "tag", css: tag });
    return out;
  }

  // Ancestors inside the same root (never crossing a shadow boundary), nearest first.
  function ancestors(el, limit) {
    const out = [];
    let node = el.parentElement;
    while (node && out.length < limit && node.localName !== "html") {
      out.push(node);
      node = node.parentElement;
    }
    return out;
  }

  const STRONG = new Set(["testid", "id", "platform", "name", "form-action", "aria", "class"]);

  function bestToken(el, avoidIds) {
    const skip = avoidIds ? ["type", "id", "testid"] : ["type"];
    return tokens(el).find((t) => !skip.includes(t.kind)) || { kind: "tag", css: el.localName };
  }

  function nthOfType(el) {
    let index = 1;
    for (let sib = el.previousElementSibling; sib; sib = sib.previousElementSibling) {
      if (sib.localName === el.localName) index += 1;
    }
    return `:nth-of-type(${index})`;
  }

  // Structural path from the target up to the first level that makes it unique; position is
  // tried at the target level first, then at one ancestor level, never on several levels.
  function cssPath(el, root, avoidIds) {
    const levels = [el, ...ancestors(el, PATH_DEPTH)];
    const parts = [];
    for (let i = 0; i < levels.length; i += 1) {
      parts.unshift(bestToken(levels[i], avoidIds).css);
      const css = parts.join(" > ");
      if (resolvesUniquely(root, css, el)) return { kind: i === 0 ? "class" : "path", css };
      // parts[k] describes levels[i - k]: the target is the last part.
      for (let k = parts.length - 1; k >= 0; k -= 1) {
        const withPos = [...parts];
        withPos[k] += nthOfType(levels[i - k]);
        const candidate = withPos.join(" > ");
        if (resolvesUniquely(root, candidate, el)) {
          return { kind: k === parts.length - 1 ? "path-nth" : "path-deep-nth", css: candidate };
        }
      }
    }
    return null;
  }

  function candidates(el) {
    const root = rootOf(el);
    const found = [];
    const seen = new Set();
    const keep = (kind, css) => {
      if (seen.has(css) || found.length >= 16) return;
      if (resolvesUniquely(root, css, el)) { seen.add(css); found.push({ kind, css }); }
    };
    const own = tokens(el);
    own.forEach((t) => keep(t.kind, t.css));
    // Scope a plain token by a stable ancestor: "#product-12 button[name=add-to-cart]".
    const ownWeak = own.filter((t) => ["class", "type", "tag", "name", "platform", "aria", "href"].includes(t.kind));
    for (const anc of ancestors(el, PATH_DEPTH)) {
      const strong = tokens(anc).filter((t) => STRONG.has(t.kind)).slice(0, 2);
      for (const a of strong) for (const t of ownWeak.slice(0, 4)) keep(`${a.kind}>${t.kind}`, `${a.css} ${t.css}`);
      if (found.length >= 8) break;
    }
    // A second path that avoids ids, so the bundle still works if an id is renamed.
    for (const avoidIds of [false, true]) {
      const path = cssPath(el, root, avoidIds);
      if (path) keep(path.kind, path.css);
    }
    return found;
  }

  function frameInfo() {
    return window === window.top ? null : { url: location.href, name: window.name || "" };
  }

  function box(el) {
    const r = el.getBoundingClientRect();
    return { x: Math.round(r.left + window.scrollX), y: Math.round(r.top + window.scrollY),
      w: Math.round(r.width), h: Math.round(r.height) };
  }

  function describe(node) {
    const id = readableId(node.id) ? `#${node.id}` : "";
    const cls = stableClasses(node).slice(0, 1).map((c) => `.${c}`).join("");
    return node.localName + id + cls;
  }

  function fingerprint(el) {
    const attrs = {};
    for (const attr of [...TEST_ID_ATTRS, ...PLATFORM_ATTRS, "name", "type", "aria-label", "role", "title"]) {
      const v = el.getAttribute(attr);
      if (v) attrs[attr] = v.slice(0, 80);
    }
    if (el.localName === "a" && el.getAttribute("href")) attrs.href = el.getAttribute("href").split(/[?#]/)[0];
    if (el.localName === "form" && el.getAttribute("action")) attrs.action = el.getAttribute("action").split(/[?#]/)[0];
    const nearbyIds = [];
    for (const anc of ancestors(el, 8)) if (anc.id) nearbyIds.push(anc.id);
    return { tag: el.localName, role: roleOf(el), text: textOf(el), id: el.id || "",
      classes: stableClasses(el), attrs, ancestors: ancestors(el, 3).map(describe),
      nearby_ids: nearbyIds.slice(0, 4), box: box(el) };
  }

  function fieldInfo(el) {
    if (!["input", "select", "textarea"].includes(el.localName)) return null;
    // Describes the field; its value (customer data) is never read.
    return { type: (el.getAttribute("type") || el.localName).toLowerCase(),
      name: el.getAttribute("name") || "", id: el.id || "",
      autocomplete: el.getAttribute("autocomplete") || "", label: labelTextOf(el),
      placeholder: el.getAttribute("placeholder") || "" };
  }

  function bundle(el) {
    const root = rootOf(el);
    // A form's text is all its labels: useless as a fallback to match it by.
    const text = el.localName === "form" ? "" : textOf(el);
    return { tag: el.localName, role: roleOf(el), name: accessibleName(el), text,
      candidates: candidates(el), in_shadow: root !== el.ownerDocument, frame: frameInfo(),
      fingerprint: fingerprint(el), field: fieldInfo(el),
      form: el.localName === "form" || !!(el.closest && el.closest("form")) };
  }

  // Every open shadow root under `root`, depth first.
  function shadowRoots(root, out) {
    for (const node of root.querySelectorAll("*")) {
      if (node.shadowRoot) { out.push(node.shadowRoot); shadowRoots(node.shadowRoot, out); }
    }
    return out;
  }

  function deepAll(css) {
    const roots = [document, ...shadowRoots(document, [])];
    const out = [];
    for (const root of roots) {
      try { out.push(...root.querySelectorAll(css)); } catch (_err) { return null; }
    }
    return out;
  }

  // Live match counts of a rule's selectors across the document and open shadow roots.
  function count(selectors) {
    const union = new Set();
    const perSelector = selectors.map((css) => {
      const found = deepAll(css);
      if (found === null) return -1;  // invalid selector
      found.forEach((n) => union.add(n));
      return found.length;
    });
    return { per_selector: perSelector, total: union.size };
  }

  function countText(tag, text) {
    const want = clean(text).toLowerCase();
    if (!want) return 0;
    return (deepAll(tag || CLICKABLE) || []).filter((n) => textOf(n).toLowerCase() === want).length;
  }

  let scanned = [];
  // Fingerprints of every plausible target on the page, for rule repair.
  function scan() {
    scanned = (deepAll(`${CLICKABLE}, form, [class*=price], [class*=amount], h1, h2`) || [])
      .filter((n) => n.getClientRects().length > 0 && n.localName !== "pixelbridge-picker");
    return scanned.map(fingerprint);
  }

  function bundleAt(index) { return scanned[index] ? bundle(scanned[index]) : null; }

  Object.defineProperty(window, "__pixelbridgeLocator", {
    value: Object.freeze({ bundle, count, countText, scan, bundleAt, fingerprint, roleOf,
      accessibleName, textOf, CLICKABLE }),
    enumerable: false,
  });
})();
