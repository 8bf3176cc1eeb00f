// The crash matrix on PostgreSQL (graphile-worker's queue, leases by heartbeat), each killed delivery sent again.
import { crashSuite } from './crash-matrix.js';

crashSuite({ first: 'hang', redeliver: true, postgres: true });
