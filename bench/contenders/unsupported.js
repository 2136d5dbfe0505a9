'use strict';

/** A contender that cannot run here (an option the store under test does not know yet). */
class Unsupported extends Error {
  constructor(message) {
    super(message);
    this.name = 'Unsupported';
  }
}

module.exports = { Unsupported };
