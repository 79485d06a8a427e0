# Verbs for the Andon cord, @mentions and hand-made status changes (issue 5).
# Depends on both 0004 migrations, so it also joins the two branches of the graph.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('activity', '0004_carry_verbs'),
        ('activity', '0004_notifications'),
    ]

    operations = [
        migrations.AlterField(
            model_name='activity',
            name='verb',
            field=models.CharField(choices=[('team_created', 'created the team'), ('member_invited', 'invited a member'), ('member_joined', 'joined the team'), ('role_changed', "changed a member's role"), ('member_removed', 'removed a member'), ('member_left', 'left the team'), ('initiative_created', 'created the initiative'), ('initiative_updated', 'updated the initiative'), ('document_created', 'started a document'), ('iteration_saved', 'saved an iteration'), ('iteration_restored', 'restored an iteration'), ('session_scheduled', 'scheduled a review session'), ('session_rescheduled', 'rescheduled a review session'), ('session_cancelled', 'cancelled a review session'), ('session_started', 'started the reading'), ('session_discussion', 'started the discussion'), ('decision_recorded', 'recorded a decision'), ('comment_added', 'commented'), ('reply_added', 'replied to a comment'), ('action_item_assigned', 'assigned an action item'), ('comment_addressed', 'addressed a comment'), ('comments_carried', 'carried comments forward'), ('andon_pulled', 'pulled the Andon cord'), ('andon_reset', 'reset the Andon cord'), ('mentioned', 'mentioned someone'), ('status_changed', "changed the initiative's status")], max_length=40),
        ),
    ]
