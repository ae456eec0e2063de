// Settings of the dashboard. The local host serves this file as is; when the dashboard is hosted as static files
// beside a Functions app, set apiBase to that app's address (e.g. "https://billing-func.azurewebsites.net").
// A query parameter wins over this file: index.html?apiBase=https://billing-func.azurewebsites.net
window.dashboardConfig = {
  // Where the HTTP API is; empty: the origin that served this page.
  apiBase: "",
  // How often the page reads the API, in milliseconds.
  pollMs: 1000,
  // How many accounts the overview shows (read in pages of 100 from GET /api/accounts).
  maxAccounts: 200,
};
