enum LWSNamespace {}
