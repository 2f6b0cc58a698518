// Page objects: what a person sees and does on each screen, in one place.
import { APP_URL } from './browser.mjs';

export class HistoryScreen {
  constructor(page) { this.page = page; }
  async open(query = '') {
    await this.page.goto(`${APP_URL}/contracts${query}`);
    await this.status().waitFor();
    return this;
  }
  status() { return this.page.locator('.fw-result-count'); }
  searchBox() { return this.page.getByLabel('Search by title or freelancer'); }
  rows() { return this.page.locator('.fw-contract'); }
  async search(text) {
    await this.searchBox().fill(text);
    await this.page.waitForURL((u) => u.searchParams.get('q') === text);
  }
  contractLink(title) { return this.page.getByRole('link', { name: title, exact: true }); }
  nextPage() { return this.page.getByRole('link', { name: 'Next page' }); }
}

export class ContractScreen {
  constructor(page) { this.page = page; }
  async open(id, tab = 'details') {
    await this.page.goto(`${APP_URL}/contracts/${id}?tab=${tab}`);
    await this.page.getByRole('heading', { level: 1 }).waitFor();
    await this.page.getByRole('tab', { name: tab === 'details' ? 'Contract details' : 'Overview', selected: true }).waitFor();
    return this;
  }
  tab(name) { return this.page.getByRole('tab', { name }); }
  responseBox() { return this.page.getByLabel('Write your public response'); }
  continueButton() { return this.page.locator('.fw-respond').getByRole('button', { name: 'Continue' }); }
  dialog(name) { return this.page.getByRole('dialog', { name }); }
  notice() { return this.page.locator('#fw-notice'); }
  errorSummary(prefix = 'fw-respond') { return this.page.locator(`#${prefix}-error-summary`); }
  failure() { return this.page.locator('#fw-respond-failure'); }
  async writeAndConfirm(text) {
    await this.responseBox().fill(text);
    await this.continueButton().click();
    const dialog = this.dialog('Check your response');
    await dialog.waitFor();
    return dialog;
  }
  async respond(text) {
    const dialog = await this.writeAndConfirm(text);
    await dialog.getByRole('button', { name: 'Post response' }).click();
    await this.page.getByText('Your response has been posted.').waitFor();
  }
  reportToggle() { return this.page.getByRole('button', { name: 'Report this feedback' }); }
  async fillReport(categoryLabel, description, links = [], { open = true } = {}) {
    if (open) await this.reportToggle().click();
    await this.page.getByRole('radio', { name: categoryLabel }).check();
    await this.page.getByLabel('Describe what happened').fill(description);
    for (const [i, link] of links.entries()) {
      if (i > 0) await this.page.getByRole('button', { name: 'Add another link' }).click();
      await this.page.getByLabel(`Link ${i + 1}`, { exact: true }).fill(link);
    }
  }
  reportContinue() { return this.page.locator('#fw-report-form').getByRole('button', { name: 'Continue' }); }
}
