// The demo host's own script: mounts the second widget with the JS API and logs the widgets'
// events. (External file: the page works under a CSP without 'unsafe-inline'.)
import { mount } from '/embed.js';

const log = document.getElementById('host-events');
for (const name of ['response-posted', 'report-submitted', 'error']) {
  document.addEventListener(name, (e) => {
    const li = document.createElement('li');
    li.textContent = `${name}: ${JSON.stringify(e.detail)}`;
    log.append(li);
  });
}

const params = new URLSearchParams(location.search);
const contractId = Number(params.get('contract') ?? 4);
window.contractWidget = await mount(document.getElementById('contract-widget'), {
  apiBase: '',
  getToken: async () => 'demo-alice',
  contractId,
});
