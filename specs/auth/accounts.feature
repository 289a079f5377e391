Feature: Accounts, exports and imports
  Accounts isolate subjects; streams and services cross them only where exported and imported.

  Background:
    Given a server with config:
      """
      accounts {
        PUB {
          users = [ {user: pub, password: pwd} ]
          exports = [ { stream: "events.>" }, { service: "help" } ]
        }
        APP {
          users = [ {user: app, password: pwd} ]
          imports = [
            { stream: { account: PUB, subject: "events.>" }, prefix: "pub" }
            { service: { account: PUB, subject: "help" }, to: "ask" }
          ]
        }
        OTHER {
          users = [ {user: other, password: pwd} ]
        }
      }
      """

  @go:server/accounts_test.go:TestAccountIsolation
  Scenario: accounts do not see each other's messages
    Given client O connects with {"verbose":false,"user":"other","pass":"pwd"}
    And client P connects with {"verbose":false,"user":"pub","pass":"pwd"}
    When client O sends "SUB > 1\r\nPING\r\n"
    Then client O receives PONG
    When client P sends "PUB events.a 2\r\nhi\r\nPUB x 2\r\nhi\r\nPING\r\n"
    Then client P receives PONG
    And client O receives nothing

  Scenario: a stream import delivers under its prefix
    Given client A connects with {"verbose":false,"user":"app","pass":"pwd"}
    And client P connects with {"verbose":false,"user":"pub","pass":"pwd"}
    When client A sends "SUB pub.events.* 1\r\nPING\r\n"
    Then client A receives PONG
    When client P sends "PUB events.a 2\r\nhi\r\nPUB nope 2\r\nhi\r\nPING\r\n"
    Then client P receives PONG
    And client A receives "MSG pub.events.a 1 2"
    And client A receives "hi"
    And client A receives nothing

  Scenario: a service import carries a request into the exporting account and the reply back
    Given client A connects with {"verbose":false,"user":"app","pass":"pwd"}
    And client P connects with {"verbose":false,"user":"pub","pass":"pwd"}
    When client P sends "SUB help 1\r\nPING\r\n"
    Then client P receives PONG
    When client A sends "SUB inbox 5\r\nPUB ask inbox 2\r\nhi\r\nPING\r\n"
    Then client A receives PONG
    And client P receives 1 messages

  Scenario: subjects the account does not import stay private
    Given client A connects with {"verbose":false,"user":"app","pass":"pwd"}
    And client P connects with {"verbose":false,"user":"pub","pass":"pwd"}
    When client A sends "SUB > 1\r\nPING\r\n"
    Then client A receives PONG
    When client P sends "PUB private 2\r\nhi\r\nPING\r\n"
    Then client P receives PONG
    And client A receives nothing
