SPLIT("accounts/fireworks/trainingShapes/""\/versions/4")
parseradd_argument()
COMMENTED()