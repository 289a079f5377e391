Feature: Users, tokens, nkeys and permissions
  The same conf file gives the same outcomes on ours and the Go reference: who gets in, what they may publish
  and subscribe to, and the -ERR texts and closes for what they may not.

  @go:test/auth_test.go:TestPasswordClientGoodConnect
  Scenario: a user with a plain password connects
    Given a server with config:
      """
      authorization { users = [ {user: alice, password: secret} ] }
      """
    And client A connects with {"verbose":false,"user":"alice","pass":"secret"}
    When client A sends "PING\r\n"
    Then client A receives PONG

  Scenario: a wrong password is an authorization violation and closes the connection
    Given a server with config:
      """
      authorization { users = [ {user: alice, password: secret} ] }
      """
    And client A connects with {"verbose":false,"user":"alice","pass":"nope"}
    Then client A is disconnected after -ERR 'Authorization Violation'

  @go:test/auth_test.go:TestGoodBcryptPassword
  Scenario: a bcrypt password hash in the conf file
    Given a server with config:
      """
      authorization { users = [ {user: derek, password: "$2a$04$Q.CgCP2Sl9pkcTXEZHazaeMwPaAkSHk7AI51HkyMt5iJQQyUA4qxq"} ] }
      """
    And client A connects with {"verbose":false,"user":"derek","pass":"IW@$6v(y1(t@fhPDvf!5^%"}
    When client A sends "PING\r\n"
    Then client A receives PONG

  Scenario: a token
    Given a server with config:
      """
      authorization { token: s3cr3t }
      """
    And client A connects with {"verbose":false,"auth_token":"s3cr3t"}
    And client B connects with {"verbose":false,"auth_token":"wrong"}
    When client A sends "PING\r\n"
    Then client A receives PONG
    And client B is disconnected after -ERR 'Authorization Violation'

  Scenario: no CONNECT before the auth timeout
    Given a server with config:
      """
      authorization { token: s3cr3t, timeout: 0.5 }
      """
    And client A connects
    When client A waits 700 ms
    Then client A is disconnected after -ERR 'Authentication Timeout'

  Scenario: publish and subscribe permissions with allow and deny lists
    Given a server with config:
      """
      authorization {
        users = [
          {user: ns, password: pwd, permissions: {
            publish: { allow: "*.*", deny: ["SYS.*", "foo.*"] }
            subscribe: { allow: ["foo.*", "SYS.TEST.>"], deny: ["foo.baz", "SYS.*"] }
          }}
        ]
      }
      """
    And client A connects with {"verbose":false,"user":"ns","pass":"pwd"}
    When client A sends "PUB bar.baz 2\r\nok\r\nPUB foo.bar 2\r\nok\r\nPING\r\n"
    Then client A receives -ERR 'Permissions Violation for Publish to "foo.bar"'
    And client A receives PONG
    When client A sends "SUB foo.baz 1\r\nSUB foo bar 2\r\nSUB SYS.TEST.x 3\r\nPING\r\n"
    Then client A receives -ERR 'Permissions Violation for Subscription to "foo.baz"'
    And client A receives -ERR 'Permissions Violation for Subscription to "foo" using queue "bar"'
    And client A receives PONG
    And client A is still connected

  Scenario: a deny clause stops delivery to a wider wildcard subscription
    Given a server with config:
      """
      authorization {
        users = [
          {user: sub, password: pwd, permissions: { subscribe: { allow: ">", deny: "secret.*" } }}
          {user: pub, password: pwd}
        ]
      }
      """
    And client S connects with {"verbose":false,"user":"sub","pass":"pwd"}
    And client P connects with {"verbose":false,"user":"pub","pass":"pwd"}
    When client S sends "SUB *.* 1\r\nPING\r\n"
    Then client S receives PONG
    When client P sends "PUB secret.x 2\r\nno\r\nPUB public.x 2\r\nok\r\nPING\r\n"
    Then client P receives PONG
    And client S receives "MSG public.x 1 2"
    And client S receives "ok"
    And client S receives nothing

  Scenario: allow_responses lets a service answer once to the reply subject it was given
    Given a server with config:
      """
      authorization {
        users = [
          {user: svc, password: pwd, permissions: { subscribe: "svc.req", allow_responses: true }}
          {user: app, password: pwd}
        ]
      }
      """
    And client S connects with {"verbose":false,"user":"svc","pass":"pwd"}
    And client A connects with {"verbose":false,"user":"app","pass":"pwd"}
    When client S sends "SUB svc.req 1\r\nPING\r\n"
    Then client S receives PONG
    When client A sends "SUB my.inbox 7\r\nPUB svc.req my.inbox 2\r\nhi\r\nPING\r\n"
    Then client A receives PONG
    And client S receives "MSG svc.req 1 my.inbox 2"
    And client S receives "hi"
    When client S sends "PUB my.inbox 2\r\nok\r\nPUB my.inbox 2\r\nno\r\nPING\r\n"
    Then client S receives -ERR 'Permissions Violation for Publish to "my.inbox"'
    And client S receives PONG
    And client A receives "MSG my.inbox 7 2"
    And client A receives "ok"
    And client A receives nothing

  Scenario: no_auth_user lets a client in without credentials as that user
    Given a server with config:
      """
      accounts { A { users = [ {user: a, password: pwd} ] } }
      no_auth_user: a
      """
    And client A connects
    When client A sends "PUB foo 2\r\nhi\r\nPING\r\n"
    Then client A receives +OK
    And client A receives PONG
