enum WallboardClientNamespace {}
