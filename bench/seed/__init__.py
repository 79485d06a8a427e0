"""Realistic data for `make bench`: ``python -m bench.seed --scale small|large``.

What it writes, reproducibly (one fixed random seed):

- users with verified addresses, teams and memberships;
- the **showcase**: the initiative "Self-serve returns" whose PR/FAQ (the nine
  template sections and 30 FAQ entries) and 12-section, ~3,300-word narrative
  each have 50 iterations, and 20 review sessions of 50 participants: closed
  ones, one in discussion with 500 revealed comment threads (replies, +1s,
  action items), one in its reading with 10 private comments per reader, one
  scheduled;
- a **twin** of the showcase with the same shape but a handful of everything,
  in a small team, so that the bench can check that every page costs the same
  number of queries for 5 comments as for 500;
- light initiatives across the teams (`large`: 1,000 of them and 2,100 users);
- the bench reader's inbox: a notification for every event on the showcase
  team's initiatives (the newest unread), beside the threads, sessions and action
  items waiting on them that the reviews above already make.

Modules: ``plans`` (scales and shapes, document plans), ``text`` and
``words.json`` (the prose), ``seeder`` (people, documents, iterations, the run),
``sessions`` (sessions, comments, discussions), ``initiatives`` (the showcase,
its twin, the light initiatives), ``manifest`` (what the bench requests) and
``command`` (the command line).

It seeds only an empty database, or re-seeds (``--reset``) one it seeded
before: every bench user shares one published password. Run again on a seeded
database, it only moves the two readings' clocks so that they are running now,
and prints the showcase's addresses (``--manifest FILE`` writes them as JSON).
"""
