print("wallboardctl")
