print("wallboardd")
