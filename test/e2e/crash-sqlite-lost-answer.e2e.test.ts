// The crash matrix on SQLite, each write first lost as an answer, and each killed delivery sent again.
import { crashSuite } from './crash-matrix.js';

crashSuite({ first: 'hang-after', redeliver: true, postgres: false });
