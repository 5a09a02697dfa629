"""Short clinical-style texts for the demo data. No names anywhere: clients are codes."""

from __future__ import annotations

INTAKE_NOTES = (
    "Intake. Explained the ORS and SRS; agreed to look at the scores together each week.",
    "First session. Main concern is sleep and worry; agreed on one goal for the next weeks.",
    "Intake. Client unsure therapy will help; talked about what would count as progress.",
    "First session. Referred for low mood; set a first small goal.",
)
SESSION_NOTES = (
    "Reviewed the ORS graph together; client noticed the rise since the start.",
    "Difficult week at work; we focused on what helped before.",
    "Homework not done; agreed on a smaller step.",
    "Talked about the relationship at home; the Interpersonally item is lowest.",
    "Good session; client tried the plan twice this week.",
    "Spent time on sleep routine and on reducing avoidance.",
    "Client brought a new concern; we checked whether the goal still fits.",
    "Rescheduled last week; picked up where we left off.",
)
LOW_SRS_NOTES = (
    "SRS below 36; asked what to do differently. Client wants more structure.",
    "Low SRS on Goals and topics; we were not working on what matters to the client.",
    "SRS dropped; client felt rushed. Agreed to slow down next time.",
)
GAIN_NOTES = (
    "Noticeable shift this week; client describes feeling more hopeful.",
    "Big change on the ORS; client says something clicked after last session.",
)
LOSS_NOTES = (
    "Sharp drop on the ORS after a setback at home; checked safety, plan in place.",
    "ORS much lower; a crisis at work this week. Discussed more support.",
)
ENDING_NOTES = (
    "Last planned session; reviewed the graph of the whole episode together.",
    "Ending as agreed; client knows they can come back.",
)

REVIEW_NOTES = (
    "Steady week. Most clients on track; {code} still flat.",
    "Busy week, several new intakes. Energy low by Thursday.",
    "Two clients above the cutoff now. {code} is the one I worry about.",
    "Quiet week. Used the spare hour for a recording review.",
    "Heavy caseload again; noticed I skipped asking about the SRS twice.",
    "Good week for practice. {code} had a low SRS; we talked about it on the spot.",
    "Back from a break; caught up with the scores.",
    "Intakes from employers piling up; {code} not on track.",
)
REVIEW_COMMITMENTS = (
    "Ask {code} directly whether the approach fits.",
    "Two recording reviews before Friday.",
    "Bring {code} to peer consultation.",
    "Stop taking new intakes on Thursdays.",
    "Check every SRS before the client leaves the room.",
    "Role-play the 'not on track' conversation with a peer.",
    "Keep practice to 30 minutes a day, no more.",
    "Agree a concrete goal with every new client in the first session.",
)

PRACTICE_NOTES = {
    "recording-review": (
        "Watched 10 minutes of a first session; I talked too much in the first half.",
        "Marked the moments the client disengaged; three of them after my advice.",
        "Reviewed how I responded to a low SRS item.",
    ),
    "rehearsal": (
        "Role-played responding to 'this is not helping' five times.",
        "Rehearsed opening the conversation about the ORS graph.",
        "Scripted statements from an angry client; practised staying curious.",
    ),
    "coaching": (
        "Coach pointed at my pace in the first 10 minutes.",
        "Feedback on a segment: more reflection before suggestions.",
    ),
    "mental-rehearsal": (
        "Planned how to raise the lack of progress with a client at session 6.",
        "Walked through tomorrow's intake step by step.",
    ),
    "case-review": (
        "Went through the not-on-track list; two clients flat for four sessions.",
        "Looked at early SRS items for clients who stopped coming.",
    ),
    "study": (
        "Read on hope and expectancy; noted two questions to try.",
        "Chapter on working with employer-referred clients' goals.",
    ),
    "other": ("Peer group discussion on endings.",),
}

LESSONS = {
    "employer": (
        (
            "Coming at the employer's suggestion is not the same as wanting therapy.",
            "I had assumed the goals were the client's own.",
            "Ask at intake what the client wants, apart from what work wants.",
            ("referral", "goals", "work context"),
        ),
        (
            "The work situation kept the scores flat whatever we did in the room.",
            "Progress depended on something outside the sessions.",
            "Name the context early and agree what therapy can change.",
            ("work context", "goals", "referral"),
        ),
    ),
    "dropout": (
        (
            "A low first SRS was a warning I did not act on.",
            "The client left after two sessions without saying why.",
            "Ask about any SRS below 36 before the client leaves.",
            ("alliance", "pace"),
        ),
        (
            "I moved to techniques before the client felt heard.",
            "The client wanted to tell the whole story first.",
            "Slow down in the first two sessions.",
            ("pace", "alliance"),
        ),
    ),
    "not-on-track": (
        (
            "Ten sessions without change; I kept going with the same approach.",
            "The graph was flat from session 3 and I explained it away.",
            "Raise a change of approach or a referral by session 6.",
            ("referral", "pace", "hope"),
        ),
        (
            "We never agreed on what the goal was.",
            "Each session had a different topic.",
            "Write the goal down and check it every session.",
            ("goals", "alliance"),
        ),
    ),
    "deteriorated": (
        (
            "The client got worse and I noticed late.",
            "Scores fell for three sessions while the SRS stayed high.",
            "Look at the ORS before the session starts, every time.",
            ("referral", "hope"),
        ),
    ),
    "success": (
        (
            "Early change predicted the good outcome: most of it came by session 4.",
            "Hope rose before anything else did.",
            "Name the early change out loud with clients.",
            ("hope", "goals"),
        ),
    ),
}

BRIEF_TRIED = (
    "Weekly sessions since the start; worked on behavioural activation, then on worry "
    "postponement. Asked about the approach after a low SRS; changed the focus to work "
    "stress. Scores have not moved reliably."
)
BRIEF_QUESTIONS = (
    "1. What else could explain the flat scores, given a good alliance?\n"
    "2. Is it time to talk about referring on, and how to raise it?\n"
    "3. What should I ask about the work situation that I have not asked?"
)
