// Starts the GOV.UK Frontend and MOJ Frontend components (error summary focus, password reveal,
// service navigation on small screens…). Every page works without it.
import { initAll as initGovuk } from '/assets/govuk-frontend.min.js';
import { initAll as initMoj } from '/assets/moj-frontend.min.js';

initGovuk();
initMoj();
