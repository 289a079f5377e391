Feature: Cluster block errors
  A cluster {} block the server cannot use stops it before it listens, with nats-server's message and the place Go
  reports it at.

  Scenario: a cluster that is not a block
    Given a file "server.conf" with:
      """
      cluster: 1
      """
    When the server is run with "-c server.conf -t"
    Then it exits with status 1
    And its error output is:
      """
      nats-server: server.conf:1:0: Expected map to define cluster, got int64
      """

  Scenario: route authorization takes one user, not a users list
    Given a file "server.conf" with:
      """
      cluster {
        authorization {
          users: [{user: a, password: b}]
        }
      }
      """
    When the server is run with "-c server.conf -t"
    Then it exits with status 1
    And its error output is:
      """
      nats-server: server.conf:2:3: Cluster authorization does not allow multiple users
      """

  Scenario: a repeated route is a warning at the repeat
    Given a file "server.conf" with:
      """
      cluster {
        port: -1
        routes: [
          "nats://127.0.0.1:5222"
          "nats://127.0.0.1:5222"
        ]
      }
      """
    When the server is run with "-c server.conf -t"
    Then it exits with status 1
    And its error output is:
      """
      nats-server: server.conf:5:6: invalid use of field "nats://127.0.0.1:5222": Duplicate route entry detected
      """

  Scenario: route permissions take no dynamic responses
    Given a file "server.conf" with:
      """
      cluster {
        permissions {
          import: "foo"
          allow_responses: true
        }
      }
      """
    When the server is run with "-c server.conf -t"
    Then it exits with status 1
    And its error output is:
      """
      nats-server: server.conf:2:3: Cluster permissions do not support dynamic responses
      """

  Scenario: a cluster listen address without a port
    Given a file "server.conf" with:
      """
      cluster {
        listen: "127.0.0.1"
      }
      """
    When the server is run with "-c server.conf -t"
    Then it exits with status 1
    And its error output is:
      """
      nats-server: server.conf:2:3: could not parse address string "127.0.0.1"
      """

  Scenario: routes must be a list
    Given a file "server.conf" with:
      """
      cluster {
        routes: "nats://127.0.0.1:5222"
      }
      """
    When the server is run with "-c server.conf"
    Then it exits with status 1
    And its error output is:
      """
      nats-server: server.conf:2:3: interface conversion: interface {} is string, not []interface {}
      """
