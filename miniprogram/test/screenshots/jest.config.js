// scripts/screenshots: renders the pages to HTML (not part of npm test).
module.exports = {
  rootDir: '../..',
  testEnvironment: 'jsdom',
  testMatch: ['<rootDir>/test/screenshots/*.shot.js'],
  testTimeout: 20000,
}
