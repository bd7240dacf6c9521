/**
 * The real stack for the end-to-end tests: `python -m app.devstack` (sandbox WeChat + WeChat Pay, a fresh
 * SQLite database with the demo stations, the web app and the worker) on free ports in a temp dir.
 *
 * The Python is ../.venv/bin/python beside this mini-program (scripts/test creates it), or $YZ_PYTHON.
 */
const { spawn } = require('child_process')
const fs = require('fs')
const net = require('net')
const os = require('os')
const path = require('path')

const PROJECT_ROOT = path.resolve(__dirname, '../../..')
const PYTHON = process.env.YZ_PYTHON || path.join(PROJECT_ROOT, '.venv', 'bin', 'python')
const START_TIMEOUT_MS = 60000
const STOP_GRACE_MS = 10000

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const port = server.address().port
      server.close(() => resolve(port))
    })
  })
}

async function freePorts(count) {
  const ports = []
  while (ports.length < count) {
    const port = await freePort()
    if (!ports.includes(port)) ports.push(port)
  }
  return ports
}

/** Start the stack; resolves {api, sandbox, stop()} once it answers. */
async function startStack() {
  if (!fs.existsSync(PYTHON)) {
    throw new Error(`no Python at ${PYTHON}: run scripts/test (it creates the venv), or set YZ_PYTHON`)
  }
  const [apiPort, sandboxPort] = await freePorts(2)
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'youzhan-mp-e2e-'))
  const child = spawn(PYTHON, [
    '-m', 'app.devstack', '--data-dir', dataDir, '--api-port', String(apiPort),
    '--sandbox-port', String(sandboxPort), '--retry-scale', '0.01', '--quiet',
  ], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true })

  // the stack leads its own process group: if jest dies, take the whole group down with it
  const killGroup = (signal) => {
    try {
      process.kill(-child.pid, signal)
    } catch (e) {
      // already gone
    }
  }
  const onExit = () => killGroup('SIGKILL')
  process.once('exit', onExit)

  let stderr = ''
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000)
  })
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))

  const urls = await new Promise((resolve, reject) => {
    let stdout = ''
    const timer = setTimeout(() => reject(new Error(`the stack did not start within ${START_TIMEOUT_MS} ms\n${stderr}`)),
      START_TIMEOUT_MS)
    child.stdout.on('data', (chunk) => {
      stdout += chunk
      const line = stdout.split('\n').find((l) => l.trim().startsWith('{'))
      if (line) {
        clearTimeout(timer)
        try {
          resolve(JSON.parse(line))
        } catch (e) {
          reject(new Error('the stack printed ' + line))
        }
      }
    })
    exited.then(({ code, signal }) => {
      clearTimeout(timer)
      reject(new Error(`the stack exited (${code === null ? signal : code}) before answering\n${stderr}`))
    })
  }).catch((error) => {
    killGroup('SIGKILL')
    process.removeListener('exit', onExit)
    fs.rmSync(dataDir, { recursive: true, force: true })
    throw error
  })

  async function stop() {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const timer = new Promise((resolve) => setTimeout(() => resolve('timeout'), STOP_GRACE_MS))
      if ((await Promise.race([exited, timer])) === 'timeout') {
        killGroup('SIGKILL')
        await exited
      }
    }
    process.removeListener('exit', onExit)
    fs.rmSync(dataDir, { recursive: true, force: true })
  }

  return { api: urls.api, sandbox: urls.sandbox, dataDir, stop }
}

module.exports = { startStack, PYTHON, PROJECT_ROOT }
