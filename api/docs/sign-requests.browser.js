// Swagger UI's "Try it out" signs each request as SPEC §7 asks, with the app key and secret the
// reader typed into the form above the document. They stay in this tab (sessionStorage).
(function () {
  const encoder = new TextEncoder();
  const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
  const stored = (name) => sessionStorage.getItem(`approvals.${name}`) ?? '';

  async function sign(request) {
    const appKey = stored('appKey');
    const secret = stored('secret');
    if (!appKey || !secret) return request;
    const url = new URL(request.url, window.location.href);
    const body = typeof request.body === 'string' ? request.body : '';
    const timestamp = String(Date.now());
    const nonce = crypto.randomUUID();
    const bodyHash = hex(await crypto.subtle.digest('SHA-256', encoder.encode(body)));
    const canonical = [request.method.toUpperCase(), url.pathname + url.search, timestamp, nonce, bodyHash].join('\n');
    const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const signature = hex(await crypto.subtle.sign('HMAC', key, encoder.encode(canonical)));
    request.headers['X-App-Key'] = appKey;
    request.headers['X-Timestamp'] = timestamp;
    request.headers['X-Nonce'] = nonce;
    request.headers['X-Signature'] = signature;
    return request;
  }

  function credentialsForm() {
    const form = document.getElementById('credentials');
    for (const name of ['appKey', 'secret']) {
      const input = form.elements.namedItem(name);
      input.value = stored(name);
      input.addEventListener('input', () => sessionStorage.setItem(`approvals.${name}`, input.value));
    }
  }

  window.addEventListener('load', () => {
    credentialsForm();
    window.ui = SwaggerUIBundle({
      url: document.body.dataset.spec,
      dom_id: '#swagger-ui',
      deepLinking: true,
      tryItOutEnabled: false,
      requestInterceptor: sign,
    });
  });
})();
