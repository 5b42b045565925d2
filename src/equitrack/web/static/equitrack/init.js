// Starts the NHS.UK frontend components (header menu, details, error summary focus). A file of
// its own because the Content-Security-Policy allows no inline script.
import { initAll } from "/static/nhsuk/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();
