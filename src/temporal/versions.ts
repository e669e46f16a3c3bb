/**
 * Every Temporal version Recoil runs, in one place. Tests hold docker-compose.yml, package.json and
 * README to these values, and the deploy test builds the server from them.
 */
export const TEMPORAL_VERSIONS = {
  /** The SDK: every @temporalio/* package in package.json. */
  sdk: '1.24.0',
  /** The production server: docker-compose.yml's temporalio/server and temporalio/admin-tools tags. */
  server: '1.32.2',
  /** The production Web UI: docker-compose.yml's temporalio/ui tag. */
  ui: '2.58.1',
  /**
   * The CLI (`recoil dev`, the demo, the test suite's dev server). Its dev server embeds Temporal
   * server 1.29.1 and Web UI 2.42.1: later CLI releases need a module (github.com/temporalio/cli/cliext)
   * that the Go module proxy does not serve, and this one's dev server does not compile against a
   * newer server.
   */
  cli: '1.5.1',
  devServer: '1.29.1',
  devUi: '2.42.1',
  /** Server 1.32.2 asks for Go ≥ 1.26.10; `go install` fetches this toolchain from the module proxy for it. */
  serverGoToolchain: 'go1.27.3',
} as const;
