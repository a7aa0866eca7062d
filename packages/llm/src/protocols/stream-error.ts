import type { Protocol } from './error-body.js';
import type { SseEvent } from './reply-parts.js';

/**
 * The in-stream error of a protocol, for a failure after the 200 and the first bytes were sent
 * (a stream kept alive while the upstream was slow): each client raises it as an API error.
 */
export function streamErrorEvents(protocol: Protocol, status: number, message: string): SseEvent[] {
  if (protocol === 'anthropic') {
    return [{ event: 'error', data: { type: 'error', error: { type: status >= 500 ? 'api_error' : 'invalid_request_error', message } } }];
  }
  if (protocol === 'responses') {
    // Clients expect response.created before anything else; the failure then carries the message.
    const response = (status_: string, error: object | null) => ({ id: 'resp_failed', object: 'response', created_at: Math.floor(Date.now() / 1000), status: status_, output: [], error });
    return [
      { event: 'response.created', data: { type: 'response.created', sequence_number: 0, response: response('in_progress', null) } },
      { event: 'response.failed', data: { type: 'response.failed', sequence_number: 1, response: response('failed', { code: status >= 500 ? 'server_error' : 'invalid_request', message }) } },
    ];
  }
  return [{ data: { error: { message, type: status >= 500 ? 'server_error' : 'invalid_request_error', param: null, code: null } } }];
}
