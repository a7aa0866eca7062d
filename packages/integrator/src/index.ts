export * from './integrate.js';
