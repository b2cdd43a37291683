// Clayworks demo shop: the only script the shop itself needs (the cart lives on the server).
(function () {
  "use strict";
  var button = document.getElementById("add-to-cart");
  if (!button) return;
  button.addEventListener("click", function () {
    button.disabled = true;
    fetch("/cart/add", {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify({sku: button.getAttribute("data-sku"), qty: 1}),
      credentials: "same-origin"
    }).then(function (r) { return r.json(); }).then(function (cart) {
      document.getElementById("cart-count").textContent = String(cart.count);
      document.getElementById("added-note").hidden = false;
    }).finally(function () { button.disabled = false; });
  });
})();
