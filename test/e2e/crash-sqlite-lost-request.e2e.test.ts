// The crash matrix on SQLite, each write first lost as a request; the job resumes on its own (no redelivery).
import { crashSuite } from './crash-matrix.js';

crashSuite({ first: 'hang', redeliver: false, postgres: false });
