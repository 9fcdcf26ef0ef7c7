// The reference backend's demo environment; the backend serves this app, so the API is on the
// page's own origin.
export const ENVIRONMENT_ID = "env-demo";
export const API_BASE_URL = `${location.origin}/api/v0`;
