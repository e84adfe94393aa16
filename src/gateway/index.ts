/** The gateway's public surface. */
export { createGateway, type Gateway, type GatewayOptions } from './gateway.js';
export {
  INTER_TOKEN_LATENCY_BUCKETS_SECONDS,
  REQUEST_DURATION_BUCKETS_SECONDS,
  TIME_TO_FIRST_TOKEN_BUCKETS_SECONDS,
} from './buckets.js';
