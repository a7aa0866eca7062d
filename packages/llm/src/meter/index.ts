export type { Lease, LeaseOptions } from './lease.js';
export { startMeteringEndpoint, type MeteringEndpoint, type MeteringEndpointOptions } from './start-metering-endpoint.js';
