// Kept for importers of the old path; the encoders are shared with the metering endpoint.
export { completionBody, completionChunks } from '../protocols/chat-payloads.js';
