Feature: Conf file errors
  A conf file the server cannot use stops it before it listens: the same message as nats-server, with the file,
  line and column Go reports, and a non-zero exit. Warnings come first, then errors; warnings alone do not stop it.

  Scenario: an unknown top-level key is reported at the key
    Given a file "server.conf" with:
      """
      port: -1
      monitor = "127.0.0.1:4442"
      """
    When the server is run with "-c server.conf -t"
    Then it exits with status 1
    And its error output is:
      """
      nats-server: server.conf:2:1: unknown field "monitor"
      """

  Scenario: an unknown key inside a block is reported where it is written
    Given a file "server.conf" with:
      """
      authorization {
        users = [
          {user: a, password: b, token: c}
        ]
      }
      """
    When the server is run with "-c server.conf -t"
    Then it exits with status 1
    And its error output is:
      """
      nats-server: server.conf:3:28: unknown field "token"
      """

  Scenario: a value of the wrong type is Go's interface conversion error
    Given a file "server.conf" with:
      """
      port: "this is not a number"
      """
    When the server is run with "-c server.conf"
    Then it exits with status 1
    And its error output is:
      """
      nats-server: server.conf:1:0: interface conversion: interface {} is string, not int64
      """

  Scenario: a warning comes before the errors and does not hide them
    Given a file "server.conf" with:
      """
      ping_interval: 5
      write_deadline: "1x"
      """
    When the server is run with "-c server.conf -t"
    Then it exits with status 1
    And its error output is:
      """
      nats-server: server.conf:1:0: invalid use of field "ping_interval": ping_interval should be converted to a duration
      server.conf:2:1: error parsing write_deadline: time: unknown unit "x" in duration "1x"
      """

  Scenario: a warning alone fails a configuration check
    Given a file "server.conf" with:
      """
      port: -1
        ping_interval: 5
      """
    When the server is run with "-c server.conf -t"
    Then it exits with status 1
    And its error output is:
      """
      nats-server: server.conf:2:3: invalid use of field "ping_interval": ping_interval should be converted to a duration
      """

  Scenario: a syntax error names the line
    Given a file "server.conf" with:
      """
      port = [1, 2
      host: x
      """
    When the server is run with "-c server.conf"
    Then it exits with status 1
    And its error output is:
      """
      nats-server: Parse error on line 2: 'Expected an array value terminator "," or an array terminator "]", but got 'x' instead.'
      """

  Scenario: an unterminated block
    Given a file "server.conf" with:
      """
      port: 4222
      authorization {
        user: a
      """
    When the server is run with "-c server.conf"
    Then it exits with status 1
    And its error output is:
      """
      nats-server: Parse error on line 4: 'Unexpected EOF processing map.'
      """

  Scenario: a malformed listen address
    Given a file "server.conf" with:
      """
      listen: "127.0.0.1:abc"
      """
    When the server is run with "-c server.conf"
    Then it exits with status 1
    And its error output is:
      """
      nats-server: server.conf:1:0: could not parse port "abc"
      """

  Scenario: a lame duck duration under the minimum
    Given a file "server.conf" with:
      """
      lame_duck_duration: "5s"
      """
    When the server is run with "-c server.conf"
    Then it exits with status 1
    And its error output is:
      """
      nats-server: server.conf:1:0: invalid lame_duck_duration of 5s, minimum is 30 seconds
      """

  Scenario: an invalid user nkey is reported at the nkey
    Given a file "server.conf" with:
      """
      authorization {
        users = [ {nkey: UDKTV7HZVYJFJN64LLMYQBUR6MTNNYCDC3LAZH4VHURW3GZLL3FULBXX} ]
      }
      """
    When the server is run with "-c server.conf"
    Then it exits with status 1
    And its error output is:
      """
      nats-server: server.conf:2:14: Not a valid public nkey for a user
      """

  Scenario: an unknown subject permission key
    Given a file "server.conf" with:
      """
      authorization {
        permissions {
          publish = { allow = "foo", deny2 = "bar" }
        }
      }
      """
    When the server is run with "-c server.conf"
    Then it exits with status 1
    And its error output is:
      """
      nats-server: server.conf:3:32: Unknown field name "deny2" parsing subject permissions, only 'allow' or 'deny' are permitted
      """

  Scenario: an error in an included file names that file
    Given a file "server.conf" with:
      """
      port: -1
      include "conf.d/auth.conf"
      """
    And a file "conf.d/auth.conf" with:
      """
      authorization {
        user: a
        password: b
      }
      debug: false; monitoring_port: 8222
      """
    When the server is run with "-c server.conf -t"
    Then it exits with status 1
    And its error output is:
      """
      nats-server: conf.d/auth.conf:5:15: unknown field "monitoring_port"
      """

  Scenario: a missing include
    Given a file "conf.d/server.conf" with:
      """
      include "../missing.conf"
      """
    When the server is run with "-c conf.d/server.conf"
    Then it exits with status 1
    And its error output is:
      """
      nats-server: error parsing include file '../missing.conf', open missing.conf: no such file or directory
      """

  Scenario: a missing conf file
    When the server is run with "-c nope.conf"
    Then it exits with status 1
    And its error output is:
      """
      nats-server: open nope.conf: no such file or directory
      """
