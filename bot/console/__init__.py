"""`maintbot console` (main.py) and the fakes of Slack it runs on, which the tests and benches share:
standin.py (Slack's Web API on loopback), simulator.py (requests built and signed as Slack sends them),
terminal.py (Block Kit as text). An interface built on bot.slack; nothing in bot.slack imports it."""
