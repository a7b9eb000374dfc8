// The error body every interface answers with: RFC 9457 problem+json over HTTP, and the `error`
// of a failed socket.io ack. Clients switch on `code`, which is stable; `detail` is for people.
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  [extension: string]: unknown;
}
