from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_order_request_id')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='PointLot',
            index=Index(fields=['expires_at']),
        ),
    ]
