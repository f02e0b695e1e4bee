// Runs in the <head>, before the page is drawn: controls only a browser without JavaScript
// needs (.nojs-only, hidden by app.css under .js) never show once scripts run.
document.documentElement.classList.add("js");
