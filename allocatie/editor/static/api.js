// The editor's HTTP API (docs/editor.md), as small async functions.

async function call(method, path, body) {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  let data = null;
  try { data = await response.json(); } catch (e) { data = { error: response.statusText }; }
  if (!response.ok) {
    const error = new Error(data && data.error ? data.error : `HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return data;
}

export const getInstance = () => call("GET", "/api/instance");
export const getState = () => call("GET", "/api/state");
export const evaluate = (assignment) =>
  call("POST", "/api/evaluate", { assignment, binding: false });
export const binding = (assignment) => call("POST", "/api/binding", { assignment });
export const setLocks = (locked) => call("POST", "/api/locks", { locked });
export const startJob = (kind, body) => call("POST", `/api/${kind}`, body);
export const getJob = (id) => call("GET", `/api/jobs/${id}`);
export const cancelJob = (id) => call("POST", `/api/jobs/${id}/cancel`);
export const addSnapshot = (name, assignment) =>
  call("POST", "/api/snapshots", { name, assignment });
export const deleteSnapshot = (name) =>
  call("DELETE", `/api/snapshots/${encodeURIComponent(name)}`);
export const save = (assignment) => call("POST", "/api/save", { assignment });
export const restoreDraft = () => call("POST", "/api/draft/restore");
export const discardDraft = () => call("POST", "/api/draft/discard");
