// npm test: unit tests, page tests (miniprogram-simulate) and the end-to-end journey against the real stack.
module.exports = {
  testEnvironment: 'jsdom',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.js'],
  testTimeout: 20000,
}
