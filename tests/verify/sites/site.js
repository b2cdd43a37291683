/* Fixture-site helpers: Meta's standard base code, and a "server-side" copy of an event.
 * The site's own backend is simulated by posting the event to the relay named in ?relay=…
 * (the relay then hashes and sends it to the sandbox, like any CAPI integration would). */
!function(f,b,e,v,n,t,s){if(f.fbq)return;n=f.fbq=function(){n.callMethod?
n.callMethod.apply(n,arguments):n.queue.push(arguments)};if(!f._fbq)f._fbq=n;
n.push=n;n.loaded=!0;n.version='2.0';n.queue=[];t=b.createElement(e);t.async=!0;
t.src=v;s=b.getElementsByTagName(e)[0];s.parentNode.insertBefore(t,s)}(window,
document,'script','https://connect.facebook.net/en_US/fbevents.js');
fbq('init', '1234567890123456');

window.fixture = {
  id: function (prefix) { return prefix + '-' + Math.random().toString(36).slice(2, 10); },
  cookie: function (name) {
    var m = ('; ' + document.cookie).split('; ' + name + '=');
    return m.length > 1 ? m.pop().split(';')[0] : undefined;
  },
  server: function (event) {
    var relay = new URLSearchParams(location.search).get('relay');
    if (!relay) return;
    event.event_source_url = location.href;
    event.fbp = fixture.cookie('_fbp');
    event.user_data = { email: 'jane.doe@example.com' };
    fetch(relay, { method: 'POST', body: JSON.stringify(event), keepalive: true,
                   headers: { 'Content-Type': 'text/plain' } });
  },
  // Both channels: the Pixel in the browser, the server copy through the relay.
  both: function (name, pixelId, serverName, serverId, value) {
    fbq('track', name, { value: value, currency: 'EUR' }, pixelId ? { eventID: pixelId } : undefined);
    var event = { event_name: serverName, custom_data: { value: value, currency: 'EUR' } };
    if (serverId) event.event_id = serverId;
    fixture.server(event);
  }
};
