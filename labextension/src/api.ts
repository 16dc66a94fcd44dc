import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/** Query arguments of a route (empty values are left out). */
export type Query = Record<string, string | undefined>;

/** The URL of a route of the dhhera server extension: `<base_url>/dhhera/<endpoint>?<query>`. */
export function routeUrl(baseUrl: string, endpoint: string, query: Query = {}): string {
  const args: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') {
      args[key] = value;
    }
  }
  const search = Object.keys(args).length > 0 ? URLExt.objectToQueryString(args) : '';
  return URLExt.join(baseUrl, 'dhhera', endpoint) + search;
}

/** An error response of a route: its HTTP status and the server's one-sentence `message`. */
export class RouteError extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message);
    this.name = 'RouteError';
  }
}

/** What a conditional GET returned: new data (200) or "unchanged" (304, `data` null). */
export interface Fetched<T> {
  changed: boolean;
  data: T | null;
  etag: string | null;
}

async function send(url: string, init: RequestInit): Promise<Response> {
  const settings = ServerConnection.makeSettings();
  try {
    return await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    // The Jupyter server itself does not answer (stopped, network down).
    throw new RouteError(0, `The Jupyter server does not answer (${(error as Error).message}).`);
  }
}

async function errorOf(response: Response): Promise<RouteError> {
  let message = `${response.status} ${response.statusText}`;
  try {
    const data = JSON.parse(await response.text());
    if (data && typeof data.message === 'string' && data.message) {
      message = data.message;
    }
  } catch {
    // not JSON: keep the status line
  }
  return new RouteError(response.status, message);
}

/**
 * Call a route of the dhhera server extension and return its JSON body.
 * Failures throw a {@link RouteError} carrying the server's `message`.
 */
export async function requestAPI<T>(endpoint = '', init: RequestInit = {}, query: Query = {}): Promise<T> {
  const settings = ServerConnection.makeSettings();
  const response = await send(routeUrl(settings.baseUrl, endpoint, query), init);
  if (!response.ok) {
    throw await errorOf(response);
  }
  const text = await response.text();
  return (text.length > 0 ? JSON.parse(text) : null) as T;
}

/**
 * GET a route with `If-None-Match: etag`: an unchanged resource costs a 304 without a body.
 * The browser cache is bypassed so that the 304 reaches this code.
 */
export async function getIfChanged<T>(endpoint: string, etag: string | null, query: Query = {}): Promise<Fetched<T>> {
  const settings = ServerConnection.makeSettings();
  const headers: Record<string, string> = {};
  if (etag) {
    headers['If-None-Match'] = etag;
  }
  const response = await send(routeUrl(settings.baseUrl, endpoint, query), {
    method: 'GET',
    headers,
    cache: 'no-store'
  });
  if (response.status === 304) {
    return { changed: false, data: null, etag };
  }
  if (!response.ok) {
    throw await errorOf(response);
  }
  const text = await response.text();
  return { changed: true, data: JSON.parse(text) as T, etag: response.headers.get('Etag') };
}
